namespace Hermes.Identity;

/// <summary>Why a pairing or linking operation was refused: <see cref="PairingException.Reason"/>.</summary>
public enum PairingRefusal
{
    /// <summary>No pending code matches on that platform: a typo or a guess. Counts toward the lock-out.</summary>
    UnknownCode = 0,

    /// <summary>The code expired before it was approved or used. Ask for a new one.</summary>
    Expired = 1,

    /// <summary>The code was already approved, denied or used. Codes work once.</summary>
    AlreadyUsed = 2,

    /// <summary>The code was issued on another platform than the one given. Counts toward the lock-out.</summary>
    WrongPlatform = 3,

    /// <summary>Too many failed attempts on this platform: approvals (or links) there are locked for a while.</summary>
    Locked = 4,

    /// <summary>The sender tried again too soon after a failed attempt.</summary>
    RateLimited = 5,

    /// <summary>The role would grant owner or <c>identity.admin</c>: pairing never does; put such people in identities.yaml.</summary>
    RoleNotAllowed = 6,

    /// <summary>The role does not exist in the identities configuration in force.</summary>
    UnknownRole = 7,

    /// <summary>The new profile key is invalid, reserved or already someone's (in identities.yaml or paired).</summary>
    ProfileKeyTaken = 8,

    /// <summary>The person to link to is not known (neither in identities.yaml nor paired).</summary>
    UnknownProfile = 9,

    /// <summary>The account already belongs to someone: it cannot be paired or linked again.</summary>
    AccountTaken = 10,

    /// <summary>The account or person to revoke was not paired (people in identities.yaml are removed there).</summary>
    NotPaired = 11,

    /// <summary>Link codes are asked for and sent only in direct chats, where nobody else sees them.</summary>
    NotDirectChat = 12,

    /// <summary>Only a known person (in identities.yaml or paired) can ask for a link code; a guest cannot.</summary>
    NotKnown = 13,

    /// <summary>
    /// The transport flags the sender as a bot, webhook or relay (<see cref="SenderEnvelope.SenderKind"/>): a program
    /// neither asks for a pairing code nor links an account; put it in identities.yaml (with <c>automated:</c>) instead.
    /// </summary>
    Automated = 14,
}
