namespace Hermes.Identity.Sample;

/// <summary>A stand-in for the Telegram transport: it builds the envelope from the platform's own sender data.</summary>
public static class SimulatedTelegram
{
    /// <summary>The owner, Louis.</summary>
    public static readonly Person Louis = new("732113076", "Louis");

    /// <summary>Mei, a trusted friend, whose Telegram display name says "Louis (owner)".</summary>
    public static readonly Person Mei = new("5550001", "Louis (owner)");

    /// <summary>Someone nobody configured.</summary>
    public static readonly Person Stranger = new("98765", "Owner's brother");

    /// <summary>The group chat Louis and Mei are both in.</summary>
    public const string GroupChatId = "-100200300";

    /// <summary>The envelope of a direct message from <paramref name="person"/>.</summary>
    public static SenderEnvelope Direct(Person person) => new("telegram", person.UserId, person.UserId, ChatKind.Direct, person.DisplayName);

    /// <summary>The envelope of a message from <paramref name="person"/> in the group chat.</summary>
    public static SenderEnvelope InGroup(Person person) => new("telegram", person.UserId, GroupChatId, ChatKind.Group, person.DisplayName);

    /// <summary>A Telegram account: the id Telegram verified and the name its owner chose.</summary>
    public sealed record Person(string UserId, string DisplayName);
}
