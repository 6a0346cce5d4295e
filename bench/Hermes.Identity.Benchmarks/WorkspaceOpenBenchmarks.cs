using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Hermes.Identity.Policy;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

// Opening (and closing) a file three levels deep: plain File.OpenHandle on the full path against the
// workspace. Target (issue 4): through the workspace at most 1.5x the plain open, ratio from one run.
//   Workspace_OpenReadAsync: the whole public path — path checks, the policy engine, openat2 from the
//   root handle, statx, a FileStream over the handle.
//   Kernel_*: the file-system layer alone, by resolution mechanism.
[MemoryDiagnoser]
public class WorkspaceOpenBenchmarks
{
    private const string Relative = "a/b/c/file.txt";

    private string _root = null!;
    private string _fullPath = null!;
    private ServiceProvider _services = null!;
    private TurnScope _turn = null!;
    private IWorkspace _workspace = null!;
    private WorkspaceFileSystem _openat2 = null!;
    private WorkspaceFileSystem _walk = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "hermes-bench-" + Guid.NewGuid().ToString("N"));
        var workspace = Path.Combine(_root, "workspaces", "mei");
        Directory.CreateDirectory(Path.Combine(workspace, "a", "b", "c"));
        _fullPath = Path.Combine(workspace, "a", "b", "c", "file.txt");
        File.WriteAllText(_fullPath, "hello");
        File.WriteAllText(Path.Combine(_root, "identities.yaml"), """
            version: 1
            identities:
              mei:
                role: trusted
                accounts: { telegram: "222" }
            """);

        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _root);
        services.AddSingleton<IPolicyBackend, AllowWorkspace>();
        _services = services.BuildServiceProvider();
        var resolution = _services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "222")).AsTask().GetAwaiter().GetResult();
        _turn = _services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
        _workspace = _turn.Services.GetRequiredService<IWorkspace>();

        _openat2 = LinuxWorkspaceFileSystem.Open(workspace, LinuxResolveMode.Openat2Beneath);
        _walk = LinuxWorkspaceFileSystem.Open(workspace, LinuxResolveMode.OpenatWalk);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _openat2.Dispose();
        _walk.Dispose();
        _turn.Dispose();
        _services.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public void Plain_File_OpenHandle()
    {
        using var handle = File.OpenHandle(_fullPath);
    }

    [Benchmark]
    public async Task Workspace_OpenReadAsync()
    {
        await using var stream = await _workspace.OpenReadAsync(Relative);
    }

    [Benchmark]
    public void Kernel_openat2_beneath()
    {
        using var handle = _openat2.OpenFile(Relative, WorkspaceFileMode.Read);
    }

    [Benchmark]
    public void Kernel_openat_walk()
    {
        using var handle = _walk.OpenFile(Relative, WorkspaceFileMode.Read);
    }

    // The policy is not what is measured here: allow the workspace actions, as the trusted role does.
    private sealed class AllowWorkspace : IPolicyBackend
    {
        public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(request.Action.StartsWith("workspace.", StringComparison.Ordinal)
                ? PolicyDecision.Allow("benchmark")
                : PolicyDecision.Deny("benchmark"));
    }
}
