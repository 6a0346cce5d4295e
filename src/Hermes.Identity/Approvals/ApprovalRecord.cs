using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Hermes.Identity.State;

namespace Hermes.Identity.Approvals;

// One approval request as the state store holds it (kind "approval", key: its code). Written and read by hand with
// Utf8JsonWriter and JsonDocument: AOT-clean. Its state moves only by compare-and-swap on the record's version:
// pending -> approved | denied, approved -> used | denied.
internal sealed record ApprovalRecord(
    string Id,
    string Profile,
    string Conversation,
    string ToolCallId,
    string Digest,
    string Action,
    string? Resource,
    DateTimeOffset RequestedAt,
    DateTimeOffset ExpiresAt,
    ApprovalState State,
    string? AnsweredBy = null,
    DateTimeOffset? AnsweredAt = null,
    DateTimeOffset? UsableUntil = null)
{
    public const string Kind = "approval";

    // What the request is bound to, as one key (kind "approval-call"): the requester's later call finds its request by it.
    public const string CallKind = "approval-call";

    // A record is kept this long past the request's expiry, so a late answer or a replay is told what happened.
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    public static string CallKey(string profile, string conversation, string action, string? resource, string toolCallId, string digest)
    {
        var text = string.Join('\n', profile, conversation, action, resource ?? string.Empty, toolCallId, digest);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    public string Key => CallKey(Profile, Conversation, Action, Resource, ToolCallId, Digest);

    public DateTimeOffset RecordExpiresAt => (UsableUntil is { } until && until > ExpiresAt ? until : ExpiresAt) + Retention;

    // The state as of now: pending or approved past its time reads as expired.
    public ApprovalState StateAt(DateTimeOffset now) => State switch
    {
        ApprovalState.Pending when now >= ExpiresAt => ApprovalState.Expired,
        ApprovalState.Approved when now >= (UsableUntil ?? ExpiresAt) => ApprovalState.Expired,
        _ => State,
    };

    public ApprovalRequest ToView(DateTimeOffset now) =>
        new(Id, Profile, Conversation, ToolCallId, Digest, Action, Resource, RequestedAt, ExpiresAt, StateAt(now), AnsweredBy, AnsweredAt);

    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", Id);
            w.WriteString("profile", Profile);
            w.WriteString("conversation", Conversation);
            w.WriteString("tool_call_id", ToolCallId);
            w.WriteString("digest", Digest);
            w.WriteString("action", Action);
            if (Resource is not null)
            {
                w.WriteString("resource", Resource);
            }

            w.WriteString("requested_at", RequestedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("expires_at", ExpiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("state", Name(State));
            if (AnsweredBy is not null)
            {
                w.WriteString("answered_by", AnsweredBy);
            }

            if (AnsweredAt is { } at)
            {
                w.WriteString("answered_at", at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            }

            if (UsableUntil is { } until)
            {
                w.WriteString("usable_until", until.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // A record the core did not write (or a newer core wrote differently) is refused, never guessed at.
    public static ApprovalRecord Parse(StateRecord record)
    {
        try
        {
            using var json = JsonDocument.Parse(record.Data);
            var r = json.RootElement;
            return new ApprovalRecord(
                Required(r, "id"),
                Required(r, "profile"),
                Required(r, "conversation"),
                Required(r, "tool_call_id"),
                Required(r, "digest"),
                Required(r, "action"),
                Optional(r, "resource"),
                Time(Required(r, "requested_at")),
                Time(Required(r, "expires_at")),
                ParseState(Required(r, "state")),
                Optional(r, "answered_by"),
                Optional(r, "answered_at") is { } at ? Time(at) : null,
                Optional(r, "usable_until") is { } until ? Time(until) : null);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new StateStoreException($"The approval record {record} in the state store is not one this version of Hermes.Identity wrote ({ex.Message}). Check that every process sharing the store runs the same version.", ex);
        }
    }

    private static string Name(ApprovalState state) => state switch
    {
        ApprovalState.Pending => "pending",
        ApprovalState.Approved => "approved",
        ApprovalState.Denied => "denied",
        ApprovalState.Used => "used",
        _ => "expired",
    };

    private static ApprovalState ParseState(string name) => name switch
    {
        "pending" => ApprovalState.Pending,
        "approved" => ApprovalState.Approved,
        "denied" => ApprovalState.Denied,
        "used" => ApprovalState.Used,
        "expired" => ApprovalState.Expired,
        _ => throw new FormatException($"unknown state '{name}'"),
    };

    private static string Required(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new KeyNotFoundException($"'{name}' is missing");

    private static string? Optional(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
