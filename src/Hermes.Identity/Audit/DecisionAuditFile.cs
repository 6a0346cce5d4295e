using System.Buffers;
using System.Text.Json;
using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Audit;

// audit/decisions.jsonl: one JSON object per line, each carrying the previous record's hash and its
// own, appended and fsynced before the decision returns. Hand-written with Utf8JsonWriter: AOT-clean. A failed write
// is logged (Critical, event 406) and the decision stands: this sink never throws, as before the sink seam existed.
internal sealed class DecisionAuditFile : IDecisionAuditSink, IDisposable
{
    // Long resources or reasons are cut: a record stays small, and the hash still covers what is kept.
    private const int MaxFieldLength = 1024;
    private const int TailWindow = 1 << 20;

    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private FileStream? _stream;
    private long _sequence;
    private string _previous = DecisionLogVerifier.GenesisHash;

    public DecisionAuditFile(string path, ILogger logger)
    {
        Path = path;
        _logger = logger;
    }

    public string Path { get; }

    public ValueTask WriteAsync(DecisionAuditRecord record, CancellationToken cancellationToken)
    {
        Append(record);
        return ValueTask.CompletedTask;
    }

    public void Append(DecisionAuditRecord entry)
    {
        lock (_gate)
        {
            try
            {
                _stream ??= Open();
                _buffer.ResetWrittenCount();
                var sequence = _sequence + 1;
                WriteContent(entry, sequence, _previous);
                var hash = DecisionLogVerifier.HashOf(_buffer.WrittenSpan);

                // The line is the content with its closing brace replaced by the hash member.
                var content = _buffer.WrittenSpan;
                _stream.Write(content[..^1]);
                _stream.Write(",\"hash\":\""u8);
                _stream.Write(System.Text.Encoding.ASCII.GetBytes(hash));
                _stream.Write("\"}\n"u8);
                _stream.Flush(flushToDisk: true);
                _sequence = sequence;
                _previous = hash;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.AuditWriteFailed(_logger, Path, ex.Message);
                // Reopen next time: a half-written line is cut back to the last whole record then.
                _stream?.Dispose();
                _stream = null;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stream?.Dispose();
            _stream = null;
        }
    }

    private void WriteContent(DecisionAuditRecord e, long sequence, string previous)
    {
        using var w = new Utf8JsonWriter(_buffer);
        w.WriteStartObject();
        w.WriteNumber("seq", sequence);
        w.WriteString("time", e.Time);
        w.WriteString("profile", e.Profile);
        w.WriteString("principal", e.Sender?.Account.ToString());
        if (e.Sender is { IsAutomated: true } automated)
        {
            w.WriteString("sender_kind", automated.SenderKind switch { SenderKind.Bot => "bot", SenderKind.Webhook => "webhook", _ => "relay" });
        }
        w.WriteString("role", e.Role);
        w.WriteString("action", Cut(e.Action));
        w.WriteString("resource", Cut(e.Resource));
        w.WriteString("effect", EffectName(e.Decision.Effect));
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
            // Only in a delegated turn's records: "profile" is the delegator, these name the job acting for them.
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

        w.WriteString("prev", previous);
        w.WriteEndObject();
    }

    internal static string EffectName(PolicyEffect effect) => effect switch
    {
        PolicyEffect.Allow => "allow",
        PolicyEffect.RequireApproval => "require_approval",
        _ => "deny",
    };

    private static string? Cut(string? value) => value is { Length: > MaxFieldLength } ? value[..MaxFieldLength] + "…" : value;

    // Opens for append, after checking the tail: a torn last line (a crash mid-write, never acknowledged)
    // is cut off, and the chain continues from the last whole record.
    private FileStream Open()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.None);
        try
        {
            var length = stream.Length;
            if (length > 0)
            {
                var window = (int)Math.Min(length, TailWindow);
                var tail = new byte[window];
                stream.Position = length - window;
                stream.ReadExactly(tail);
                var lastNewline = Array.LastIndexOf(tail, (byte)'\n');
                if (lastNewline != window - 1)
                {
                    var keep = lastNewline < 0 ? length - window : length - window + lastNewline + 1;
                    Log.AuditTornTailCut(_logger, Path, length - keep);
                    stream.SetLength(keep);
                    stream.Flush(flushToDisk: true);
                }

                if (lastNewline >= 0)
                {
                    var start = Array.LastIndexOf(tail, (byte)'\n', Math.Max(lastNewline - 1, 0)) + 1;
                    if (lastNewline > 0 && DecisionLogVerifier.TryRead(tail.AsSpan(start, lastNewline - start), out var seq, out _, out _, out var computed))
                    {
                        _sequence = seq;
                        _previous = computed;
                    }
                }
            }

            stream.Seek(0, SeekOrigin.End);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }
}
