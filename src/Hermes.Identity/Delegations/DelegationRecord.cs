using System.Buffers;
using System.Text;
using System.Text.Json;
using Hermes.Identity.State;

namespace Hermes.Identity.Delegations;

// A delegation as the state store holds it: kind "delegation", key its id, data {"v":1,"body":{...},"seal":"<hmac>"}. The
// seal covers every value of the body, so a record edited in the store is refused.
// Hand-written with Utf8JsonWriter and JsonDocument: AOT-clean.
internal static class DelegationRecord
{
    public const string Kind = "delegation";

    public static string Write(Delegation d, DelegationSeal seal)
    {
        var body = Body(d);
        var output = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteNumber("v", 1);
            w.WritePropertyName("body");
            w.WriteRawValue(body, skipInputValidation: true);
            w.WriteString("seal", seal.Compute(body));
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    // The delegation in the record, or null with the reason when it cannot be trusted: unreadable, or its seal does not
    // match its content, or it claims another id than the key it is stored under.
    public static Delegation? TryRead(StateRecord record, DelegationSeal seal, out string? problem)
    {
        try
        {
            using var doc = JsonDocument.Parse(record.Data);
            var root = doc.RootElement;
            if (!root.TryGetProperty("v", out var v) || v.GetInt32() != 1 || !root.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object)
            {
                problem = "its stored record is not a delegation this version of Hermes.Identity reads";
                return null;
            }

            var d = new Delegation(
                body.GetProperty("id").GetString()!,
                body.GetProperty("profile").GetString()!,
                body.GetProperty("job").GetString()!,
                body.GetProperty("actions") is { ValueKind: JsonValueKind.Array } actions ? [.. actions.EnumerateArray().Select(a => a.GetString()!)] : null,
                body.GetProperty("created_at").GetDateTimeOffset(),
                body.GetProperty("expires_at") is { ValueKind: JsonValueKind.String } expires ? expires.GetDateTimeOffset() : null,
                body.GetProperty("turn").GetString()!,
                body.GetProperty("by").GetString()!,
                [.. body.GetProperty("chain").EnumerateArray().Select(a => a.GetString()!)],
                body.GetProperty("revoked_at") is { ValueKind: JsonValueKind.String } revoked ? revoked.GetDateTimeOffset() : null,
                body.GetProperty("revoked_by").GetString());
            // The seal covers the body as this code writes it from the values read, not the stored text: a store may
            // re-format JSON (PostgreSQL's jsonb does) without breaking it, and any changed value breaks it.
            var sealText = root.TryGetProperty("seal", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (!seal.Verify(Body(d), sealText))
            {
                problem = "its stored record does not match its seal (it was changed outside Hermes.Identity, or the delegation key was replaced)";
                return null;
            }

            if (!string.Equals(d.Id, record.Key, StringComparison.Ordinal) || !ProfileKey.IsValid(d.ProfileKey))
            {
                problem = "its stored record names another delegation or no valid profile";
                return null;
            }

            problem = null;
            return d;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            problem = "its stored record cannot be read: " + ex.Message;
            return null;
        }
    }

    private static string Body(Delegation d)
    {
        var output = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("id", d.Id);
            w.WriteString("profile", d.ProfileKey);
            w.WriteString("job", d.Job);
            if (d.Actions is null)
            {
                w.WriteNull("actions");
            }
            else
            {
                w.WriteStartArray("actions");
                foreach (var a in d.Actions)
                {
                    w.WriteStringValue(a);
                }

                w.WriteEndArray();
            }

            w.WriteString("created_at", d.CreatedAt);
            if (d.ExpiresAt is { } expires)
            {
                w.WriteString("expires_at", expires);
            }
            else
            {
                w.WriteNull("expires_at");
            }

            w.WriteString("turn", d.CreatedInTurn);
            w.WriteString("by", d.CreatedBy);
            w.WriteStartArray("chain");
            foreach (var id in d.Chain)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            if (d.RevokedAt is { } revoked)
            {
                w.WriteString("revoked_at", revoked);
            }
            else
            {
                w.WriteNull("revoked_at");
            }

            w.WriteString("revoked_by", d.RevokedBy);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
