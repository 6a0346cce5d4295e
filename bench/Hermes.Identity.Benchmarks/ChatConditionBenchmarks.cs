using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

// Issue 9, "Conditions the built-in roles can express": a tool decision inside a turn when the role has rules that hold
// only in some kinds of chat. Each chat kind has its own compiled rules, picked once per turn, so the allow path should
// cost what MessageBenchmarks.DecisionInTurn costs, and allocate nothing. Not in the before/after config: the code
// before the change cannot read 'when:'.
//
// dotnet run -c Release --project bench/Hermes.Identity.Benchmarks -- --filter '*ChatConditionBenchmarks*' --job short
[MemoryDiagnoser]
public class ChatConditionBenchmarks
{
    private const string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          mei: { role: helper, accounts: { telegram: "222" } }
        roles:
          helper:
            inherits: trusted
            allow:
              - { action: tool.exec, when: { chat: direct } }
            deny:
              - { action: tool.web.*, when: { chat: [group, channel] } }
        tools:
          terminal: exec
          read_file: files.read
          web_search: web.search
        """;

    private string _root = null!;
    private ServiceProvider _services = null!;
    private PolicyEngine _policy = null!;
    private TurnScope? _turn;

    [GlobalSetup(Target = nameof(ConditionalAllowInDirectChat))]
    public void SetupDirect() => Setup(ChatKind.Direct, "terminal");

    [GlobalSetup(Target = nameof(PlainAllowInGroup))]
    public void SetupGroup() => Setup(ChatKind.Group, "read_file");

    [GlobalCleanup]
    public void Cleanup()
    {
        _turn?.Dispose();
        _services.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>terminal, allowed by <c>{ action: tool.exec, when: { chat: direct } }</c>, in a direct chat.</summary>
    [Benchmark]
    public PolicyDecision ConditionalAllowInDirectChat() => Decide("terminal");

    /// <summary>read_file, allowed by an unconditional rule of the same role, in a group (where a conditional deny is in force).</summary>
    [Benchmark]
    public PolicyDecision PlainAllowInGroup() => Decide("read_file");

    private PolicyDecision Decide(string tool)
    {
        var pending = _policy.AuthorizeToolCallAsync(tool);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    private void Setup(ChatKind chat, string tool)
    {
        _root = Path.Combine(Path.GetTempPath(), "hermes-bench-conditions-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "identities.yaml"), Yaml);
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _root);
        _services = services.BuildServiceProvider();
        _policy = _services.GetRequiredService<PolicyEngine>();
        var pending = _services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "222", "chat-1", chat));
        _turn = _services.GetRequiredService<ITurnScopeFactory>().BeginTurn(pending.AsTask().GetAwaiter().GetResult());
        if (!Decide(tool).IsAllowed)
        {
            throw new InvalidOperationException("The benchmark must measure the allow path.");
        }
    }
}
