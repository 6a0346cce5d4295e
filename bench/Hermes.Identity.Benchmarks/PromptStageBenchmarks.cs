using BenchmarkDotNet.Attributes;
using Hermes.Identity.Configuration;
using Hermes.Identity.Memory;
using Hermes.Identity.Policy;
using Hermes.Identity.Prompt;
using Hermes.Identity.Turns;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

/// <summary>
/// Where the identity block with the sender's memory (AdapterBenchmarks.Turn_prompt) spends its time: each stage of
/// IdentityPrompt.RenderAsync run on its own inside a real turn, so each row minus Turn_only is that stage's cost.
/// Memory = absent: no memory file exists (AdapterBenchmarks' case); present: MEMORY.md, USER.md and the shared
/// MEMORY.md each hold a few entries.
/// </summary>
[MemoryDiagnoser]
public class PromptStageBenchmarks
{
    private const string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          mei:
            role: trusted
            accounts: { telegram: "5550001" }
        """;

    private string _root = null!;
    private ServiceProvider _services = null!;
    private ITurnScopeFactory _turns = null!;
    private IdentityResolution _mei = null!;
    private IdentityPrompt _prompt = null!;
    private PolicyEngine _policy = null!;
    private MemoryFileStore _files = null!;
    private MemorySnapshot _snapshot = null!;
    private string[] _paths = null!;

    [Params("absent", "present")]
    public string Memory { get; set; } = "absent";

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "hermes-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "identities.yaml"), Yaml);
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _root);
        _services = services.BuildServiceProvider();
        _turns = _services.GetRequiredService<ITurnScopeFactory>();
        _prompt = _services.GetRequiredService<IdentityPrompt>();
        _policy = _services.GetRequiredService<PolicyEngine>();
        _files = _services.GetRequiredService<MemoryFileStore>();
        _mei = _services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "5550001")).AsTask().GetAwaiter().GetResult();
        var own = _mei.Profile!.Paths.MemoryDirectory;
        _paths = [Path.Combine(own, "MEMORY.md"), Path.Combine(own, "USER.md"), Path.Combine(_root, "memories", ProfilePaths.SharedMemoryFolder, "MEMORY.md")];

        using (var turn = _turns.BeginTurn(_mei))
        {
            var store = turn.Services.GetRequiredService<IMemoryStore>();
            if (Memory == "present")
            {
                store.AddAsync(MemoryFile.Notes, "The deploy script lives in ops/deploy.sh; run it with --dry-run first.").AsTask().GetAwaiter().GetResult();
                store.AddAsync(MemoryFile.Notes, "Mei prefers answers in short bullet points.").AsTask().GetAwaiter().GetResult();
                store.AddAsync(MemoryFile.User, "Mei is a site reliability engineer in Osaka, working in UTC+9.").AsTask().GetAwaiter().GetResult();
                // The trusted role may read the shared memory but not write it: the operator writes it, as here.
                Directory.CreateDirectory(Path.GetDirectoryName(_paths[2])!);
                File.WriteAllText(_paths[2], "The team's on-call rota is in the wiki under Operations.\n§\nDeploys freeze on Fridays after 15:00.");
            }

            _snapshot = store.ReadAsync().AsTask().GetAwaiter().GetResult();
        }

        Thread.Sleep(150); // past the read cache's racy window, as a prompt read some time after a write is
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task Turn_only()
    {
        await using var turn = _turns.BeginTurn(_mei);
    }

    // + the turn's DI scope, made on first use and disposed with the turn.
    [Benchmark]
    public async Task<object?> Turn_scope()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return CurrentTurnAccessor.PeekServices();
    }

    // + resolving the scoped memory store (its constructor).
    [Benchmark]
    public async Task<object?> Turn_store()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return CurrentTurnAccessor.PeekServices()?.GetService<IMemoryStore>();
    }

    // + the two read decisions the store asks (memory.read on the own folder, memory.shared.read on the shared file).
    [Benchmark]
    public async Task<bool> Turn_decisions()
    {
        await using var turn = _turns.BeginTurn(_mei);
        var own = await _policy.AuthorizeAsync(PolicyActions.MemoryRead, "memories/mei/");
        var shared = await _policy.AuthorizeAsync(PolicyActions.MemorySharedRead, "memories/_shared/MEMORY.md");
        return own.IsAllowed & shared.IsAllowed;
    }

    // + the three file reads through the read cache (no scope, no decisions).
    [Benchmark]
    public async Task<int> Turn_files()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return _files.Read(_paths[0]).Count + _files.Read(_paths[1]).Count + _files.Read(_paths[2]).Count;
    }

    // + the whole memory read: scope, store, decisions, files, snapshot.
    [Benchmark]
    public async Task<MemorySnapshot> Turn_read()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await CurrentTurnAccessor.PeekServices()!.GetRequiredService<IMemoryStore>().ReadAsync();
    }

    // + the turn's nonce (16 random bytes).
    [Benchmark]
    public async Task<string> Turn_nonce()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return turn.Context.Nonce;
    }

    // + writing the block around a snapshot read beforehand (nonce included).
    [Benchmark]
    public async Task<string> Turn_render()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return IdentityPrompt.Render(turn.Context, _snapshot);
    }

    // The whole: IdentityPrompt.RenderAsync, as AdapterBenchmarks.Turn_prompt.
    [Benchmark]
    public async Task<string> Turn_prompt()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _prompt.RenderAsync();
    }
}
