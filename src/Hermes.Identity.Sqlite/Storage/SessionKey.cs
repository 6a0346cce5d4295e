using System.Globalization;

namespace Hermes.Identity.Sqlite.Storage;

// The conversation a session belongs to: platform, kind and chat. Without a chat id (a direct message on
// a platform that gives none) the conversation is the sender's own: it is the only one in their database.
internal readonly record struct SessionKey(string Platform, ChatKind ChatKind, string? ChatId)
{
    public string Value { get; } = string.Create(CultureInfo.InvariantCulture, $"{Platform}:{ChatKind.ToString().ToLowerInvariant()}:{ChatId ?? "-"}");

    public static SessionKey For(SenderEnvelope sender) => new(sender.Platform, sender.ChatKind, sender.ChatId);
}
