using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Hermes.Identity.State;

namespace Hermes.Identity.Approvals;

// One grant as the state store holds it (kind "grant", key: its code). Uses left only ever go down, by
// compare-and-swap on the record's version; a revoked grant is deleted.
internal sealed record GrantRecord(string Id, string Profile, string Pattern, string Issuer, int Uses, int Left, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    public const string Kind = "grant";

    public Grant ToView() => new(Id, Profile, Pattern, Issuer, Uses, Left, IssuedAt, ExpiresAt);

    public bool IsLive(DateTimeOffset now) => Left > 0 && now < ExpiresAt;

    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", Id);
            w.WriteString("profile", Profile);
            w.WriteString("pattern", Pattern);
            w.WriteString("issuer", Issuer);
            w.WriteNumber("uses", Uses);
            w.WriteNumber("left", Left);
            w.WriteString("issued_at", IssuedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("expires_at", ExpiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static GrantRecord Parse(StateRecord record)
    {
        try
        {
            using var json = JsonDocument.Parse(record.Data);
            var r = json.RootElement;
            return new GrantRecord(
                r.GetProperty("id").GetString()!,
                r.GetProperty("profile").GetString()!,
                r.GetProperty("pattern").GetString()!,
                r.GetProperty("issuer").GetString()!,
                r.GetProperty("uses").GetInt32(),
                r.GetProperty("left").GetInt32(),
                Time(r.GetProperty("issued_at").GetString()!),
                Time(r.GetProperty("expires_at").GetString()!));
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or NullReferenceException)
        {
            throw new StateStoreException($"The grant record {record} in the state store is not one this version of Hermes.Identity wrote ({ex.Message}). Check that every process sharing the store runs the same version.", ex);
        }
    }

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
