namespace Hermes.Identity;

/// <summary>What happens to a sender who is not listed in <c>identities.yaml</c> (<c>unknown_senders</c>).</summary>
public enum UnknownSenderPolicy
{
    /// <summary>Refuse them (<c>unknown_senders: deny</c>). The default when the key is absent.</summary>
    Deny = 0,

    /// <summary>Admit them as an isolated guest with the <c>guest</c> role (<c>unknown_senders: guest</c>).</summary>
    Guest = 1,

    /// <summary>
    /// Give them a one-time pairing code in a direct chat, and admit them once a holder of <c>identity.admin</c> approves
    /// it (<c>unknown_senders: pair</c>); refuse them until then, and in groups and channels. Needs the identity state
    /// store (<c>AddSqliteState()</c>). See docs/pairing.md.
    /// </summary>
    Pair = 2,
}
