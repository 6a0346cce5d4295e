using System.Collections.Concurrent;
using System.Text.Json;
using Hermes.Identity.Audit;
using Hermes.Identity.Policy;
using Hermes.Identity.Tests.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.Tests.Audit;

// IDecisionAuditSink: a sink registered in the services receives every recorded decision with its documented fields,
// is awaited before the decision returns, and a sink that fails makes the engine refuse the call.
public sealed class DecisionAuditSinkTests : IAsyncLifetime
{
    private const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private readonly string _root = new TempDirectory("audit-sink").Path;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Folders.DeleteWithRetry(_root);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_registered_sink_receives_every_decision_with_its_fields_and_no_preview()
    {
        var sink = new KeepingSink();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 3, 0, 0, TimeSpan.Zero));
        var returned = new List<PolicyDecision>();
        string turnId;
        await using (var host = PolicyTestHost.Create(configure: b => b.Services.AddSingleton<TimeProvider>(time).AddSingleton<IDecisionAuditSink>(sink), root: _root))
        {
            host.KeepRoot = true;
            await using (var turn = host.BeginTurn("222"))
            {
                turnId = turn.Context.TurnId;
                await host.Engine.PreviewToolCallAsync("read_file", Ct); // previews are not recorded
                returned.Add(await host.Engine.AuthorizeToolCallAsync("read_file", "call-1", Digest, Ct));
                time.Advance(TimeSpan.FromSeconds(1));
                returned.Add(await host.Engine.AuthorizeToolCallAsync("terminal", "call-2", Digest, Ct));
                returned.Add(await host.Engine.AuthorizeAsync(PolicyActions.MemoryRead, "mei", Ct));
            }

            returned.Add(await host.Engine.AuthorizeAsync(PolicyActions.MemoryRead, cancellationToken: Ct)); // outside a turn
        }

        var records = sink.Records.ToArray();
        Assert.Equal(4, records.Length);
        Assert.Equal(returned, records.Select(r => r.Decision)); // the very decisions returned, in order

        var read = records[0];
        Assert.Equal(time.Start, read.Time);
        Assert.Equal("mei", read.Profile);
        Assert.Equal("trusted", read.Role);
        Assert.Equal("telegram:222", read.Sender?.Principal);
        Assert.Equal("tool.files.read", read.Action);
        Assert.Equal("read_file", read.Resource);
        Assert.Equal(PolicyEffect.Allow, read.Decision.Effect);
        Assert.Equal(turnId, read.TurnId);
        Assert.Equal("call-1", read.ToolCallId);
        Assert.Equal(Digest, read.ArgumentsDigest);
        Assert.Null(read.Delegation);

        var terminal = records[1];
        Assert.Equal(time.Start.AddSeconds(1), terminal.Time);
        Assert.Equal(PolicyEffect.Deny, terminal.Decision.Effect);
        Assert.Equal("tool.exec", terminal.Action);
        Assert.Equal("terminal", terminal.Resource);

        Assert.Equal(PolicyActions.MemoryRead, records[2].Action);
        Assert.Equal("mei", records[2].Resource);
        Assert.Null(records[2].ToolCallId);

        var outside = records[3];
        Assert.Null(outside.Profile);
        Assert.Null(outside.Sender);
        Assert.Null(outside.TurnId);
        Assert.Equal(PolicyEffect.Deny, outside.Decision.Effect);
        Assert.Equal(["no current turn"], outside.Decision.Errors);
    }

    [Fact]
    public async Task The_audit_file_and_a_sink_receive_the_same_decisions()
    {
        var sink = new KeepingSink();
        await using (var host = PolicyTestHost.Create(configure: b => b.ConfigurePolicy(o => o.WriteAuditFile = true).Services.AddSingleton<IDecisionAuditSink>(sink), root: _root))
        {
            host.KeepRoot = true;
            await using var turn = host.BeginTurn("222");
            for (var i = 0; i < 6; i++)
            {
                await host.Engine.AuthorizeToolCallAsync(i % 2 == 0 ? "read_file" : "terminal", "call-" + i, Digest, Ct);
            }
        }

        var lines = File.ReadAllLines(Path.Combine(_root, "audit", "decisions.jsonl"));
        Assert.Equal(6, lines.Length);
        Assert.Equal(6, sink.Records.Count);
        foreach (var (line, record) in lines.Zip(sink.Records))
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(record.ToolCallId, json.RootElement.GetProperty("tool_call_id").GetString());
            Assert.Equal(record.Decision.Effect == PolicyEffect.Allow ? "allow" : "deny", json.RootElement.GetProperty("effect").GetString());
            Assert.Equal(record.Time, json.RootElement.GetProperty("time").GetDateTimeOffset());
        }

        Assert.True(DecisionLogVerifier.Verify(Path.Combine(_root, "audit", "decisions.jsonl")).IsIntact);
    }

    [Fact]
    public async Task The_decision_returns_only_once_the_sink_has_written_it()
    {
        var sink = new HeldSink();
        await using var host = PolicyTestHost.Create(configure: b => b.Services.AddSingleton<IDecisionAuditSink>(sink), root: _root);
        await using var turn = host.BeginTurn("222");

        var pending = host.Engine.AuthorizeToolCallAsync("read_file", "call-1", Digest, Ct).AsTask();
        var record = await sink.Received.Task.WaitAsync(Ct);
        Assert.False(pending.IsCompleted); // the sink has the record but has not finished writing it

        sink.Release.SetResult();
        var decision = await pending;
        Assert.True(decision.IsAllowed);
        Assert.Same(decision, record.Decision);
    }

    [Fact]
    public async Task A_sink_that_fails_makes_an_allowed_call_refused_and_leaves_a_deny_as_it_was()
    {
        // A real file sink whose path is a folder: every write fails with the file system's own error.
        var folder = Directory.CreateDirectory(Path.Combine(_root, "not-a-file")).FullName;
        await using var host = PolicyTestHost.Create(configure: b => b.Services.AddSingleton<IDecisionAuditSink>(new LineFileSink(folder)), root: _root);
        await using var turn = host.BeginTurn("222");

        var read = await host.Engine.AuthorizeToolCallAsync("read_file", "call-1", Digest, Ct);
        Assert.Equal(PolicyEffect.Deny, read.Effect);
        Assert.StartsWith("The decision could not be written to the audit, so the call is refused:", read.Reason, StringComparison.Ordinal);
        Assert.Single(read.Errors);

        var terminal = await host.Engine.AuthorizeToolCallAsync("terminal", "call-2", Digest, Ct);
        Assert.Equal(PolicyEffect.Deny, terminal.Effect);
        Assert.Empty(terminal.Errors); // the roles' own deny, unchanged
    }

    [Fact]
    public async Task A_sink_writing_a_real_file_keeps_one_line_per_decision_from_many_turns_at_once()
    {
        var path = Path.Combine(_root, "sink.jsonl");
        var sink = new LineFileSink(path);
        await using (var host = PolicyTestHost.Create(configure: b => b.Services.AddSingleton<IDecisionAuditSink>(sink), root: _root))
        {
            host.KeepRoot = true;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
            {
                await using var turn = host.BeginTurn(t % 2 == 0 ? "222" : "111");
                for (var i = 0; i < 25; i++)
                {
                    Assert.True((await host.Engine.AuthorizeToolCallAsync("read_file", $"call-{t}-{i}", Digest, Ct)).IsAllowed);
                }
            }, Ct)));
        }

        var calls = File.ReadAllLines(path).Select(l =>
        {
            using var json = JsonDocument.Parse(l);
            return json.RootElement.GetProperty("call").GetString();
        }).ToHashSet();
        Assert.Equal(200, calls.Count);
    }

    // Keeps every record it is given, in order.
    private sealed class KeepingSink : IDecisionAuditSink
    {
        public ConcurrentQueue<DecisionAuditRecord> Records { get; } = new();

        public ValueTask WriteAsync(DecisionAuditRecord record, CancellationToken cancellationToken)
        {
            Records.Enqueue(record);
            return ValueTask.CompletedTask;
        }
    }

    // Takes a record and finishes writing it only when the test says so.
    private sealed class HeldSink : IDecisionAuditSink
    {
        public TaskCompletionSource<DecisionAuditRecord> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask WriteAsync(DecisionAuditRecord record, CancellationToken cancellationToken)
        {
            Received.TrySetResult(record);
            await Release.Task.WaitAsync(cancellationToken);
        }
    }

    // Appends one JSON line per decision to a real file, asynchronously, one writer at a time.
    private sealed class LineFileSink(string path) : IDecisionAuditSink
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public async ValueTask WriteAsync(DecisionAuditRecord record, CancellationToken cancellationToken)
        {
            var line = JsonSerializer.Serialize(new Dictionary<string, string?> { ["call"] = record.ToolCallId, ["effect"] = record.Decision.Effect.ToString() }) + "\n";
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await File.AppendAllTextAsync(path, line, cancellationToken);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
