using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace Hermes.Identity.SemanticKernel.Tests;

// The Semantic Kernel failures issue 10 names, each shown fixed with the real kernel, the real loops and the real
// filters: qualified names (Shell_terminal) listed as Shell.terminal; SK's loop over the M.E.AI adapter; SK's own loop
// without the library; SK's own filters; a withheld function; the identity block; the caller's history.
public sealed class IssueTests
{
    private const string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          ada:
            role: ops
            accounts: { telegram: "333" }
        roles:
          ops:
            allow: [tool.exec, memory.read]
        tools:
          Shell.terminal: exec
        """;

    private static readonly SenderEnvelope Ada = new("telegram", "333", "333", ChatKind.Direct, "Ada");
    private static readonly SenderEnvelope Guest = new("telegram", "999", "999", ChatKind.Direct, "Ada (ops)");

    private static (HermesHost Host, KernelStack Stack, Counter Runs) Start(KernelLoop loop, bool hermes = true, Action<IKernelBuilder>? before = null)
    {
        var runs = new Counter();
        var terminal = KernelFunctionFactory.CreateFromMethod((string? text) => runs.Run("terminal ran"), "terminal", "Runs a shell command.");
        var host = new HermesHost(Yaml, services => KernelStack.Configure(services, [terminal], loop, "Shell", hermes, before), i => i.AddSqliteState());
        return (host, new KernelStack(host, loop, "Shell"), runs);
    }

    [Theory]
    [InlineData(KernelLoop.Connector)]
    [InlineData(KernelLoop.ChatClient)]
    public async Task Shell_terminal_is_listed_as_Shell_dot_terminal_and_decided_by_its_category(KernelLoop loop)
    {
        var (host, stack, runs) = Start(loop);
        await using var _ = host;

        var offeredToAda = await stack.OfferedToolsAsync(Ada);
        var offeredToGuest = await stack.OfferedToolsAsync(Guest);
        var ada = await stack.CallAsync(Ada, "terminal", "call-1", "ls", ConformanceCallRoute.Model);
        var guest = await stack.CallAsync(Guest, "terminal", "call-2", "ls", ConformanceCallRoute.Model);

        Assert.Equal(["Shell.terminal"], offeredToAda);
        Assert.Empty(offeredToGuest);
        Assert.Equal("terminal ran", ada);
        Assert.Contains("Refused: the tool 'Shell", guest, StringComparison.Ordinal);
        Assert.Contains("did not run", guest, StringComparison.Ordinal);
        Assert.Equal(1, runs.Count);
    }

    [Fact]
    public async Task SKs_loop_over_the_MEAI_adapter_runs_kernel_functions_instead_of_failing_every_call()
    {
        var (host, stack, runs) = Start(KernelLoop.ChatClient);
        await using var _ = host;

        var result = await stack.CallAsync(Ada, "terminal", "call-1", "ls", ConformanceCallRoute.Model);

        Assert.DoesNotContain("must be of type KernelFunction", result, StringComparison.Ordinal);
        Assert.Equal("terminal ran", result);
        Assert.Equal(1, runs.Count);
    }

    [Theory]
    [InlineData(KernelLoop.Connector)]
    [InlineData(KernelLoop.ChatClient)]
    public async Task SKs_own_loop_runs_anything_for_anyone_without_the_library_and_nothing_for_a_guest_with_it(KernelLoop loop)
    {
        var (bareHost, bare, bareRuns) = Start(loop, hermes: false);
        await using (bareHost)
        {
            // The failure as it was: no Hermes filters on the kernel, and a guest's call runs (the connector loop), or
            // is refused only by the M.E.AI adapter's offer (the chat client loop).
            await bare.CallAsync(Guest, "terminal", "call-1", "rm -rf /", ConformanceCallRoute.Middleware);
            Assert.Equal(1, bareRuns.Count);
        }

        var (host, stack, runs) = Start(loop);
        await using var _ = host;
        var model = await stack.CallAsync(Guest, "terminal", "call-1", "rm -rf /", ConformanceCallRoute.Model);
        var direct = await stack.CallAsync(Guest, "terminal", "call-2", "rm -rf /", ConformanceCallRoute.Middleware);

        Assert.Equal(0, runs.Count);
        Assert.Contains("did not run", model, StringComparison.Ordinal);
        Assert.Contains("did not run", direct, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_function_withheld_from_the_model_but_called_gets_the_reason_not_SKs_own_error()
    {
        var (host, stack, runs) = Start(KernelLoop.Connector);
        await using var _ = host;

        var result = await stack.CallAsync(Guest, "terminal", "call-1", "ls", ConformanceCallRoute.Model);

        Assert.Equal(0, runs.Count);
        Assert.DoesNotContain("wasn't defined", result, StringComparison.Ordinal);
        Assert.StartsWith("Refused: the tool 'Shell.terminal' did not run.", result, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KernelLoop.Connector)]
    [InlineData(KernelLoop.ChatClient)]
    public async Task SKs_own_filters_run_and_those_added_before_UseHermesIsolation_see_refused_calls_with_their_reason(KernelLoop loop)
    {
        var seen = new Recorder();
        var (host, stack, runs) = Start(loop, before: k => k.Services.AddSingleton<IAutoFunctionInvocationFilter>(seen));
        await using var _ = host;

        await stack.CallAsync(Guest, "terminal", "call-1", "ls", loop == KernelLoop.Connector ? ConformanceCallRoute.Model : ConformanceCallRoute.Model);
        await stack.CallAsync(Ada, "terminal", "call-2", "ls", ConformanceCallRoute.Model);

        Assert.Equal(1, runs.Count);
        Assert.Contains("terminal ran", seen.Results);
        if (loop == KernelLoop.Connector)
        {
            Assert.Single(seen.Results); // the guest's call was never offered: SK's loop answered it before any filter
        }
    }

    [Theory]
    [InlineData(KernelLoop.Connector)]
    [InlineData(KernelLoop.ChatClient)]
    public async Task The_model_sees_the_identity_block_after_the_hosts_system_message(KernelLoop loop)
    {
        var (host, stack, _) = Start(loop);
        await using var h = host;
        host.Folder.Write("memories/ada/MEMORY.md", "canary-ada-93b1\n");

        var requests = await stack.SeenByModelAsync(Ada, "hello");

        var system = Assert.Single(requests).SystemMessages;
        Assert.Equal("You are a helpful assistant.", system[0]);
        Assert.Contains(system, s => s.Contains("canary-ada-93b1", StringComparison.Ordinal) && s.Contains("ada", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_callers_history_gets_the_call_and_its_result_but_not_the_identity_block()
    {
        var (host, stack, _) = Start(KernelLoop.Connector);
        await using var h = host;

        var history = await host.InTurnAsync(Ada, async _ => await stack.AskAsync($"CALL call-1 Shell-terminal ls"));

        Assert.Equal(["system", "user", "assistant", "tool", "assistant"], history.Select(m => m.Role.Label.ToLowerInvariant()));
        Assert.Equal("You are a helpful assistant.", history[0].Content);
        Assert.Equal("done: terminal ran", history[^1].Content);
    }

    [Fact]
    public async Task Outside_a_turn_the_model_is_offered_no_function()
    {
        var (host, stack, runs) = Start(KernelLoop.Connector);
        await using var _ = host;
        var seen = new List<ModelRequest>();

        using (ScriptedOpenAIModel.Observe(seen))
        {
            await stack.AskAsync("hello");
        }

        Assert.All(Assert.Single(seen).Tools, t => Assert.Equal(KernelStack.NoTool, t));
        Assert.Equal(0, runs.Count);
    }

    [Fact]
    public async Task Calling_UseHermesIsolation_twice_decides_each_call_once()
    {
        var (host, stack, runs) = Start(KernelLoop.Connector, before: k => k.UseHermesIsolation());
        await using var _ = host;

        // An approval-free allowed call: deciding it twice would still run it, so count the filters instead.
        Assert.Single(stack.Kernel.AutoFunctionInvocationFilters);
        Assert.Single(stack.Kernel.FunctionInvocationFilters);
        Assert.Equal("terminal ran", await stack.CallAsync(Ada, "terminal", "call-1", "ls", ConformanceCallRoute.Model));
        Assert.Equal(1, runs.Count);
    }

    private sealed class Counter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public string Run(string result)
        {
            Interlocked.Increment(ref _count);
            return result;
        }
    }

    private sealed class Recorder : IAutoFunctionInvocationFilter
    {
        public List<string> Results { get; } = [];

        public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
        {
            await next(context);
            lock (Results)
            {
                Results.Add(context.Result.GetValue<object>()?.ToString() ?? "");
            }
        }
    }
}
