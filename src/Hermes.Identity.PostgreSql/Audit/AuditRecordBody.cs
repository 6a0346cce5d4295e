using System.Buffers;
using System.Text;
using System.Text.Json;
using Hermes.Identity.Audit;

namespace Hermes.Identity.PostgreSql.Audit;

// The members of an audit record between "seq" and "prev", written exactly as the core's audit file writes them
// (DecisionAuditFile.WriteContent): the same names, order, escaping and cuts, so that a row's record is byte for byte
// the line the file would hold and one verifier definition covers both. append_decision adds seq, prev and hash.
internal static class AuditRecordBody
{
    private const int MaxFieldLength = 1024;

    public static string Write(DecisionAuditRecord e)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", e.Time);
            w.WriteString("profile", e.Profile);
            w.WriteString("principal", e.Sender?.Principal);
            if (e.Sender is { } sender && sender.SenderKind != SenderKind.Person)
            {
                w.WriteString("sender_kind", sender.SenderKind switch { SenderKind.Bot => "bot", SenderKind.Webhook => "webhook", _ => "relay" });
            }

            w.WriteString("role", e.Role);
            w.WriteString("action", Cut(e.Action));
            w.WriteString("resource", Cut(e.Resource));
            w.WriteString("effect", e.Decision.Effect switch
            {
                PolicyEffect.Allow => "allow",
                PolicyEffect.RequireApproval => "require_approval",
                _ => "deny",
            });
            w.WriteStartArray("rules");
            foreach (var rule in e.Decision.RuleIds)
            {
                w.WriteStringValue(Cut(rule));
            }

            w.WriteEndArray();
            w.WriteString("reason", Cut(e.Decision.Reason));
            w.WriteString("revision", e.Decision.Revision);
            w.WriteString("turn", e.TurnId);
            w.WriteString("tool_call_id", Cut(e.ToolCallId));
            w.WriteString("args_digest", Cut(e.ArgumentsDigest));
            if (e.Delegation is { } delegation)
            {
                w.WriteString("delegation", delegation.Id);
                w.WriteString("job", Cut(delegation.Job));
            }

            if (e.Decision.Errors.Count > 0)
            {
                w.WriteStartArray("errors");
                foreach (var error in e.Decision.Errors)
                {
                    w.WriteStringValue(Cut(error));
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        // Without its braces: the members only. The default encoder escapes every non-ASCII character, so this is ASCII.
        var written = buffer.WrittenSpan;
        return Encoding.ASCII.GetString(written[1..^1]);
    }

    private static string? Cut(string? value) => value is { Length: > MaxFieldLength } ? value[..MaxFieldLength] + "…" : value;
}
