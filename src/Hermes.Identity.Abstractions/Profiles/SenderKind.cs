namespace Hermes.Identity;

/// <summary>
/// What the transport says is behind an account: a person, or a program. Set <see cref="SenderEnvelope.SenderKind"/>
/// from the platform's own flag (Telegram's <c>is_bot</c>, Discord's <c>author.bot</c> and <c>webhook_id</c>, a bridge's
/// relayed-message marker), never from message text.
/// </summary>
/// <remarks>
/// A known identity reached by an automated sender gets at most the rights of the <c>guest</c> role (allowed only what
/// both its own role and <c>guest</c> allow) unless its entry in identities.yaml accepts that kind with <c>automated:</c>.
/// </remarks>
public enum SenderKind
{
    /// <summary>A person typing (the default).</summary>
    Person = 0,

    /// <summary>A bot account.</summary>
    Bot = 1,

    /// <summary>A webhook or an integration posting through one.</summary>
    Webhook = 2,

    /// <summary>A relay or bridge repeating messages from elsewhere (another platform, a mailing list, a forward bot).</summary>
    Relay = 3,
}
