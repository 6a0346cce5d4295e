using System.Text;
using System.Text.Json;
using Hermes.Identity.Audit;
using Hermes.Identity.Policy;
using Hermes.Identity.Tests.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Audit;

// audit/decisions.jsonl: every decision, hash-chained; the verifier finds edits, deletions,
// reorderings and a torn last line.
public sealed class DecisionAuditFileTests : IAsyncLifetime
{
    private const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private readonly string _root = new TempDirectory("audit").Path;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string AuditFile => Path.Combine(_root, "audit", "decisions.jsonl");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Folders.DeleteWithRetry(_root);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Every_decision_is_appended_with_who_what_and_a_digest_never_the_arguments()
    {
        await WriteDecisionsAsync(5);

        var lines = File.ReadAllLines(AuditFile);
        Assert.Equal(5, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var record = first.RootElement;
        Assert.Equal(1, record.GetProperty("seq").GetInt64());
        Assert.Equal("mei", record.GetProperty("profile").GetString());
        Assert.Equal("telegram:222", record.GetProperty("principal").GetString());
        Assert.Equal("tool.files.read", record.GetProperty("action").GetString());
        Assert.Equal("read_file", record.GetProperty("resource").GetString());
        Assert.Equal("allow", record.GetProperty("effect").GetString());
        Assert.Equal("role:trusted/allow/tool.files.*", record.GetProperty("rules")[0].GetString());
        Assert.Equal(Digest, record.GetProperty("args_digest").GetString());
        Assert.False(string.IsNullOrEmpty(record.GetProperty("revision").GetString()));
        Assert.True(record.TryGetProperty("time", out _));
        Assert.Equal(64, record.GetProperty("hash").GetString()!.Length);
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("deny", second.RootElement.GetProperty("effect").GetString());

        var verification = DecisionLogVerifier.Verify(AuditFile);
        Assert.True(verification.IsIntact, string.Join("\n", verification.Problems));
        Assert.Equal(5, verification.RecordCount);
    }

    [Fact]
    public async Task Each_record_names_the_turn_it_was_made_in()
    {
        string first;
        string second;
        await using (var host = PolicyTestHost.Create(configure: b => b.ConfigurePolicy(o => o.WriteAuditFile = true), root: _root))
        {
            host.KeepRoot = true;
            await using (var turn = host.BeginTurn("222"))
            {
                await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);
                first = turn.Context.TurnId;
            }

            await using (var turn = host.BeginTurn("222"))
            {
                await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);
                second = turn.Context.TurnId;
            }
        }

        var turns = File.ReadAllLines(AuditFile).Select(line =>
        {
            using var record = JsonDocument.Parse(line);
            return record.RootElement.GetProperty("turn").GetString();
        }).ToArray();
        Assert.Equal([first, second], turns);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task An_edited_record_is_detected()
    {
        await WriteDecisionsAsync(4);
        var lines = File.ReadAllLines(AuditFile);
        lines[1] = lines[1].Replace("\"effect\":\"deny\"", "\"effect\":\"allow\"", StringComparison.Ordinal);
        File.WriteAllLines(AuditFile, lines);

        var verification = DecisionLogVerifier.Verify(AuditFile);

        Assert.False(verification.IsIntact);
        Assert.Contains(verification.Problems, p => p.StartsWith("Line 2:", StringComparison.Ordinal) && p.Contains("changed", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task A_deleted_record_is_detected(int index)
    {
        await WriteDecisionsAsync(4);
        var lines = File.ReadAllLines(AuditFile).ToList();
        lines.RemoveAt(index);
        File.WriteAllLines(AuditFile, lines);

        var verification = DecisionLogVerifier.Verify(AuditFile);

        Assert.False(verification.IsIntact);
        Assert.Contains(verification.Problems, p => p.StartsWith($"Line {index + 1}:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reordered_records_are_detected()
    {
        await WriteDecisionsAsync(4);
        var lines = File.ReadAllLines(AuditFile);
        (lines[1], lines[2]) = (lines[2], lines[1]);
        File.WriteAllLines(AuditFile, lines);

        var verification = DecisionLogVerifier.Verify(AuditFile);

        Assert.False(verification.IsIntact);
        Assert.NotEmpty(verification.Problems);
    }

    [Fact]
    public async Task A_record_rewritten_with_a_fresh_hash_still_breaks_the_chain()
    {
        await WriteDecisionsAsync(3);
        var lines = File.ReadAllLines(AuditFile);
        // A forger edits record 2 and recomputes its own hash: record 3's prev no longer matches.
        var content = lines[1][..lines[1].LastIndexOf(",\"hash\":", StringComparison.Ordinal)].Replace("\"deny\"", "\"allow\"", StringComparison.Ordinal) + "}";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(content)));
        lines[1] = content[..^1] + ",\"hash\":\"" + hash + "\"}";
        File.WriteAllLines(AuditFile, lines);

        var verification = DecisionLogVerifier.Verify(AuditFile);

        Assert.Contains(verification.Problems, p => p.StartsWith("Line 3:", StringComparison.Ordinal) && p.Contains("chain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_torn_last_line_is_flagged_and_cut_before_the_next_append()
    {
        await WriteDecisionsAsync(3);
        var whole = File.ReadAllBytes(AuditFile);
        File.WriteAllBytes(AuditFile, [.. whole, .. "{\"seq\":4,\"time\":\"2026-"u8.ToArray()]);

        var torn = DecisionLogVerifier.Verify(AuditFile);
        Assert.True(torn.HasTornLastLine);
        Assert.Empty(torn.Problems);
        Assert.False(torn.IsIntact);
        Assert.Equal(3, torn.RecordCount);

        await WriteDecisionsAsync(2);
        var after = DecisionLogVerifier.Verify(AuditFile);
        Assert.True(after.IsIntact, string.Join("\n", after.Problems));
        Assert.Equal(5, after.RecordCount);
    }

    [Fact]
    public async Task A_restarted_host_continues_the_chain()
    {
        await WriteDecisionsAsync(2);
        await WriteDecisionsAsync(3);

        var verification = DecisionLogVerifier.Verify(AuditFile);

        Assert.True(verification.IsIntact, string.Join("\n", verification.Problems));
        Assert.Equal(5, verification.RecordCount);
    }

    [Fact]
    public async Task A_denial_outside_a_turn_is_recorded_with_its_error()
    {
        await using (var host = PolicyTestHost.Create(configure: b => b.ConfigurePolicy(o => o.WriteAuditFile = true), root: _root))
        {
            host.KeepRoot = true;
            await host.Engine.AuthorizeAsync(PolicyActions.MemoryRead, cancellationToken: Ct);
        }

        using var record = JsonDocument.Parse(File.ReadAllLines(AuditFile).Single());
        Assert.Equal("deny", record.RootElement.GetProperty("effect").GetString());
        Assert.Equal(JsonValueKind.Null, record.RootElement.GetProperty("profile").ValueKind);
        Assert.Equal("no current turn", record.RootElement.GetProperty("errors")[0].GetString());
    }

    [Fact]
    public async Task No_audit_file_is_written_unless_asked_for()
    {
        await using (var host = PolicyTestHost.Create(root: _root))
        {
            host.KeepRoot = true;
            await using var turn = host.BeginTurn("222");
            await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);
        }

        Assert.False(File.Exists(AuditFile));
    }

    [Fact]
    public async Task Previewing_what_to_offer_decides_like_a_call_and_records_nothing()
    {
        await using (var host = PolicyTestHost.Create(configure: b => b.ConfigurePolicy(o => o.WriteAuditFile = true), root: _root))
        {
            host.KeepRoot = true;
            await using var turn = host.BeginTurn("222");
            foreach (var tool in new[] { "read_file", "terminal", "made_up" })
            {
                var preview = await host.Engine.PreviewToolCallAsync(tool, Ct);
                var call = await host.Engine.AuthorizeToolCallAsync(tool, "call-" + tool, Digest, Ct);
                Assert.Equal(call.Effect, preview.Effect);
            }
        }

        // Three calls recorded; the three previews are not.
        Assert.Equal(3, File.ReadAllLines(AuditFile).Length);
    }

    // Alternates an allowed call (read_file) and a denied one (terminal) for mei (trusted), in a host that then shuts down.
    private async Task WriteDecisionsAsync(int count)
    {
        await using var host = PolicyTestHost.Create(configure: b => b.ConfigurePolicy(o => o.WriteAuditFile = true), root: _root);
        host.KeepRoot = true;
        await using var turn = host.BeginTurn("222");
        for (var i = 0; i < count; i++)
        {
            await host.Engine.AuthorizeToolCallAsync(i % 2 == 0 ? "read_file" : "terminal", "call-" + i, Digest, Ct);
        }
    }
}
