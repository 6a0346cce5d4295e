using Hermes.Identity.Approvals;
using Hermes.Identity.Memory;
using Hermes.Identity.Tools;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Hermes.Identity.TestSupport;

/// <summary>
/// What every agent-stack adapter must do, written once (issue 10): inherit this class in the adapter's test project,
/// implement <see cref="CreateStackAsync"/> with the real stack, and every case runs against it
/// (<c>dotnet test --filter "FullyQualifiedName~Conformance"</c>). A new adapter is done when it passes.
/// </summary>
/// <remarks>
/// The people: louis (owner, telegram:111), mei (role helper, telegram:222: may read files and her memory, may send
/// mail once an owner approves the call, may not use the terminal), and guests (anyone else). The tools (<see cref="Tools"/>):
/// <c>terminal</c> (exec), <c>read_file</c> (files.read), <c>whoami</c> (memory: returns the caller's own MEMORY.md, read
/// through the services the call was given) and <c>send_mail</c> (mail.send).
/// </remarks>
public abstract class AdapterConformance : IAsyncDisposable
{
    /// <summary>The identities.yaml of the suite.</summary>
    public const string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: helper
            accounts: { telegram: "222" }
        roles:
          helper:
            allow: [tool.files.read, tool.memory, tool.mail.send, memory.read]
            require_approval: [tool.mail.send]
        tools:
          terminal: exec
          read_file: files.read
          whoami: memory
          send_mail: mail.send
        """;

    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>Louis, the owner, in a direct chat.</summary>
    public static SenderEnvelope Louis { get; } = new("telegram", "111", "111", ChatKind.Direct, "Louis");

    /// <summary>Mei, role helper, in a direct chat.</summary>
    public static SenderEnvelope Mei { get; } = new("telegram", "222", "222", ChatKind.Direct, "Mei");

    /// <summary>A stranger, admitted as a guest.</summary>
    public static SenderEnvelope Stranger { get; } = new("telegram", "999", "999", ChatKind.Direct, "Louis (owner)");

    /// <summary>The suite's tools; wrap each in the stack's own kind of function.</summary>
    public IReadOnlyList<ConformanceTool> Tools { get; } =
    [
        new("terminal", "Runs a shell command.", static (_, _) => ValueTask.FromResult("terminal ran")),
        new("read_file", "Reads a file.", static (_, text) => ValueTask.FromResult("read " + text)),
        new("whoami", "Tells whose memory this is.", static async (services, _) =>
        {
            var memory = services?.GetService<IMemoryStore>() ?? throw new InvalidOperationException("whoami ran without the turn's services.");
            return (await memory.ReadAsync()).Render();
        }),
        new("send_mail", "Sends an email.", static (_, text) => ValueTask.FromResult("sent " + text)),
    ];

    /// <summary>
    /// The stack under test over <paramref name="host"/>'s services (built by <see cref="CreateHost"/>), with
    /// <see cref="Tools"/> as its tools. The suite disposes it.
    /// </summary>
    protected abstract Task<IConformanceStack> CreateStackAsync(HermesHost host);

    /// <summary>Adds what the stack needs to the host's services (its chat client, its kernel, its MCP server); the suite adds the state store.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>
    /// How this stack names the suite tool <paramref name="toolName"/>, which is how <c>tools:</c> lists it and how
    /// <see cref="IConformanceStack.OfferedToolsAsync"/> returns it: the name itself, unless the stack qualifies names
    /// (Semantic Kernel: <c>Plugin.function</c>).
    /// </summary>
    protected virtual string ToolKey(string toolName) => toolName;

    /// <summary>Adds the state store the approvals need (the test project's choice, such as <c>AddSqliteState()</c>).</summary>
    protected abstract void AddStateStore(IHermesIsolationBuilder isolation);

    /// <summary>A host over <see cref="Yaml"/> in a fresh folder, with louis's and mei's memories written.</summary>
    protected HermesHost CreateHost()
    {
        var folder = new TempDirectory("conformance");
        folder.Write("memories/louis/MEMORY.md", "canary-louis-7f3a\n");
        folder.Write("memories/mei/MEMORY.md", "canary-mei-51c2\n");
        var yaml = Yaml;
        foreach (var tool in Tools)
        {
            yaml = yaml.Replace($"\n  {tool.Name}: ", $"\n  {ToolKey(tool.Name)}: ", StringComparison.Ordinal);
        }

        var host = new HermesHost(yaml, ConfigureServices, AddStateStore, folder);
        _owned.Add(host);
        return host;
    }

    /// <summary>The tool named <paramref name="name"/>.</summary>
    protected ConformanceTool Tool(string name) => Tools.Single(t => t.Name == name);

    private async Task<(HermesHost Host, IConformanceStack Stack)> StartAsync()
    {
        var host = CreateHost();
        var stack = await CreateStackAsync(host);
        _owned.Insert(0, stack);
        return (host, stack);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Theory]
    [InlineData("111")]
    [InlineData("222")]
    [InlineData("999")]
    public async Task Conformance_the_tools_offered_are_the_tools_allowed(string userId)
    {
        var (host, stack) = await StartAsync();
        var sender = new SenderEnvelope("telegram", userId, userId, ChatKind.Direct, null);
        var gate = host.Services.GetRequiredService<ToolGate>();
        var expected = await host.InTurnAsync(sender, async _ =>
        {
            var visible = new List<string>();
            foreach (var tool in Tools)
            {
                if (await gate.GetVisibilityAsync(ToolKey(tool.Name)) != ToolVisibility.Hidden)
                {
                    visible.Add(ToolKey(tool.Name));
                }
            }

            return visible;
        });

        var offered = await stack.OfferedToolsAsync(sender);

        Assert.Equal(expected.Order(StringComparer.Ordinal), offered.Order(StringComparer.Ordinal));
        Assert.Equal(userId == "111", offered.Contains(ToolKey("terminal")));
    }

    [Theory]
    [InlineData(ConformanceCallRoute.Model)]
    [InlineData(ConformanceCallRoute.Middleware)]
    public async Task Conformance_a_denied_tool_runs_zero_times_and_the_result_says_why(ConformanceCallRoute route)
    {
        var (_, stack) = await StartAsync();

        var mei = await stack.CallAsync(Mei, "terminal", "call-1", "rm -rf /", route);
        var stranger = await stack.CallAsync(Stranger, "terminal", "call-2", "rm -rf /", route);

        Assert.Equal(0, Tool("terminal").Runs);
        Assert.Contains("did not run", mei, StringComparison.Ordinal);
        Assert.Contains("did not run", stranger, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conformance_an_invented_tool_name_runs_nothing()
    {
        var (_, stack) = await StartAsync();

        var result = await stack.CallAsync(Louis, "format_disk", "call-1", "now", ConformanceCallRoute.Invented);

        Assert.All(Tools, t => Assert.Equal(0, t.Runs));
        Assert.False(string.IsNullOrWhiteSpace(result));
    }

    [Theory]
    [InlineData(ConformanceCallRoute.Model)]
    [InlineData(ConformanceCallRoute.Middleware)]
    public async Task Conformance_outside_a_turn_nothing_runs(ConformanceCallRoute route)
    {
        var (_, stack) = await StartAsync();

        await stack.CallAsync(null, "read_file", "call-1", "notes.md", route);
        await stack.CallAsync(null, "terminal", "call-2", "ls", route);

        Assert.Equal(0, Tool("read_file").Runs);
        Assert.Equal(0, Tool("terminal").Runs);
    }

    [Fact]
    public async Task Conformance_an_allowed_call_runs_once_with_the_callers_own_services()
    {
        var (_, stack) = await StartAsync();

        var mei = await stack.CallAsync(Mei, "whoami", "call-1", "", ConformanceCallRoute.Model);
        var louis = await stack.CallAsync(Louis, "whoami", "call-2", "", ConformanceCallRoute.Model);

        Assert.Equal(2, Tool("whoami").Runs);
        Assert.Contains("canary-mei-51c2", mei, StringComparison.Ordinal);
        Assert.DoesNotContain("canary-louis", mei, StringComparison.Ordinal);
        Assert.Contains("canary-louis-7f3a", louis, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conformance_two_people_at_once_never_see_each_others_memory()
    {
        var (_, stack) = await StartAsync();

        var calls = Enumerable.Range(0, 8).Select(async i =>
        {
            var sender = i % 2 == 0 ? Mei : Louis;
            var result = await stack.CallAsync(sender, "whoami", "call-" + i, "", ConformanceCallRoute.Model);
            return (Sender: sender, Result: result);
        });

        foreach (var (sender, result) in await Task.WhenAll(calls))
        {
            Assert.Contains(sender == Mei ? "canary-mei-51c2" : "canary-louis-7f3a", result, StringComparison.Ordinal);
            Assert.DoesNotContain(sender == Mei ? "canary-louis" : "canary-mei", result, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Conformance_an_approved_call_runs_exactly_once()
    {
        var (host, stack) = await StartAsync();

        var asked = await stack.CallAsync(Mei, "send_mail", "call-1", "hello ada", ConformanceCallRoute.Model);
        Assert.Equal(0, Tool("send_mail").Runs);
        Assert.DoesNotContain("sent", asked, StringComparison.Ordinal);

        await host.InTurnAsync(Louis, async _ =>
        {
            var approvals = host.Services.GetRequiredService<Approvals.Approvals>();
            var pending = Assert.Single(await approvals.ListPendingAsync());
            Assert.True((await approvals.ApproveAsync(pending.Id)).IsAllowed);
            return 0;
        });

        var ran = await stack.CallAsync(Mei, "send_mail", "call-1", "hello ada", ConformanceCallRoute.Model);
        var again = await stack.CallAsync(Mei, "send_mail", "call-1", "hello ada", ConformanceCallRoute.Model);

        Assert.Equal("sent hello ada", ran);
        Assert.Equal(1, Tool("send_mail").Runs);
        Assert.DoesNotContain("sent", again, StringComparison.Ordinal); // presented again after it ran: nothing runs
    }
}
