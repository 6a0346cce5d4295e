using System.Globalization;

namespace Hermes.Identity.PostgreSql.Sessions;

// The conversation a session belongs to: platform, kind and chat, written as the SQLite store writes it, so a session's
// Key reads the same on either store.
internal readonly record struct SessionKey(string Platform, ChatKind ChatKind, string? ChatId)
{
    public string Value { get; } = string.Create(CultureInfo.InvariantCulture, $"{Platform}:{ChatKind.ToString().ToLowerInvariant()}:{ChatId ?? "-"}");

    public static SessionKey For(SenderEnvelope sender) => new(sender.Platform, sender.ChatKind, sender.ChatId);
}
