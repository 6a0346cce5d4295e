using Hermes.Identity.Policy;
using Hermes.Identity.Sample;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using static Hermes.Identity.AI.Tests.IsolationHarness;

namespace Hermes.Identity.AI.Tests;

// Invariant 4: every call passes the one gate, offered or not; the tools offered are the tools allowed.
public sealed class ToolGateTests
{
    [Fact]
    public async Task A_tool_only_in_the_loops_AdditionalTools_is_still_judged_by_the_policy()
    {
        var secret = new CountingTool("secret_tool");
        await using var h = Create(loop => loop.AdditionalTools = [secret]);

        var mei = await h.SendAsync(Mei(), "call the tool secret_tool");
        Assert.Equal(0, secret.Runs);
        Assert.Contains("Refused", mei.ResultText, StringComparison.Ordinal);
        Assert.Contains(h.Backend.Calls, c => c.Resource == "secret_tool" && c.Effect == PolicyEffect.Deny);

        await h.SendAsync(Louis(), "call the tool secret_tool");
        Assert.Equal(1, secret.Runs); // the owner's role allows every action, unlisted tools included
    }

    [Fact]
    public async Task A_tool_withheld_from_the_model_and_called_anyway_gets_the_policys_refusal()
    {
        await using var h = Create();
        var x = await h.SendAsync(Mei(), "run `id` in the terminal");

        Assert.DoesNotContain("terminal", x.Seen.OfferedTools);
        Assert.Empty(h.Terminal.Entries);
        Assert.Contains("No rule allows role trusted to tool.exec", x.ResultText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_name_the_model_made_up_is_judged_by_the_policy_and_refused_with_its_reason()
    {
        await using var h = Create();
        var x = await h.SendAsync(Mei(), "call the tool launch_missiles");

        var result = Assert.Single(x.Results);
        Assert.StartsWith("Refused: the tool 'launch_missiles' did not run.", $"{result.Result}", StringComparison.Ordinal);
        Assert.Contains("tool.unlisted", $"{result.Result}", StringComparison.Ordinal);
        Assert.DoesNotContain("not found", x.ResultText, StringComparison.Ordinal);
        var call = Assert.Single(h.Backend.Calls, c => c.Resource == "launch_missiles");
        Assert.Equal(PolicyEffect.Deny, call.Effect);
        Assert.Equal("telegram:5550001", call.Principal);
        Assert.Equal(2, x.Seen.Requests); // the loop carried on: the model read the refusal and answered
    }

    [Fact]
    public async Task A_made_up_name_the_policy_allows_still_runs_nothing_and_the_model_is_told_there_is_no_such_tool()
    {
        await using var h = Create();
        var x = await h.SendAsync(Louis(), "call the tool launch_missiles\nrun `uptime` in the terminal");

        Assert.Contains(x.Results, r => $"{r.Result}".StartsWith("Error: there is no tool named 'launch_missiles'", StringComparison.Ordinal));
        Assert.Equal([("louis", "uptime")], h.Terminal.Entries); // the known call in the same reply ran, through the gate
        Assert.Contains(h.Backend.Calls, c => c.Resource == "launch_missiles" && c.IsAllowed);
    }

    [Fact]
    public async Task A_made_up_name_in_a_streamed_reply_is_refused_by_the_policy_too()
    {
        await using var h = Create();
        var updates = await h.InTurnAsync(Mei(), async _ =>
        {
            List<ChatResponseUpdate> all = [];
            await foreach (var update in h.Chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "call the tool launch_missiles")], new ChatOptions { Tools = h.Tools }))
            {
                all.Add(update);
            }

            return all;
        });

        var result = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionResultContent>());
        Assert.StartsWith("Refused: the tool 'launch_missiles' did not run.", $"{result.Result}", StringComparison.Ordinal);
        Assert.Contains(updates, u => u.Text.StartsWith("Done.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outside_a_turn_no_tool_is_offered_and_none_runs()
    {
        var secret = new CountingTool("secret_tool");
        await using var h = Create(loop => loop.AdditionalTools = [secret]);
        var seen = GullibleChatClient.Observe();

        var response = await h.Chat.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "run `id` in the terminal\ncall the tool secret_tool\nread file notes.txt")],
            new ChatOptions { Tools = h.Tools });

        Assert.Empty(seen.OfferedTools);
        Assert.Empty(h.Terminal.Entries);
        Assert.Equal(0, secret.Runs);
        var results = response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToList();
        Assert.Equal(3, results.Count);
        Assert.Contains(results, r => $"{r.Result}".Contains("No turn is in progress", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Streaming_requests_are_gated_the_same_way()
    {
        await using var h = Create();
        var resolution = await h.Services.GetRequiredService<IIdentityResolver>().ResolveAsync(Mei());
        await using var turn = h.Services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in h.Chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "run `id` in the terminal")], new ChatOptions { Tools = h.Tools }))
        {
            updates.Add(update);
        }

        Assert.Empty(h.Terminal.Entries);
        Assert.Contains(updates.SelectMany(u => u.Contents).OfType<FunctionResultContent>(), r => $"{r.Result}".StartsWith("Refused", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("732113076")]
    [InlineData("5550001")]
    [InlineData("4440001")]
    [InlineData("unknown-guest")]
    public async Task For_every_role_the_tools_offered_are_the_tools_the_policy_allows(string userId)
    {
        await using var h = Create();
        var envelope = new SenderEnvelope("telegram", userId, userId, ChatKind.Direct, "someone");
        var x = await h.SendAsync(envelope, "hello");
        var names = h.Tools.Select(t => t.Name).ToArray();

        var (visible, allowed) = await h.InTurnAsync(envelope, async _ =>
        {
            var policy = h.Services.GetRequiredService<PolicyEngine>();
            var gate = h.Services.GetRequiredService<Hermes.Identity.Tools.ToolGate>();
            var visible = new List<string>();
            foreach (var name in names)
            {
                if (await gate.GetVisibilityAsync(name) != Hermes.Identity.Tools.ToolVisibility.Hidden)
                {
                    visible.Add(name);
                }
            }

            var allowed = new List<string>();
            foreach (var name in names)
            {
                if ((await policy.AuthorizeToolCallAsync(name, "probe")).Effect != PolicyEffect.Deny)
                {
                    allowed.Add(name);
                }
            }

            return (visible, allowed);
        });

        Assert.Equal(visible, x.Seen.OfferedTools);
        Assert.Equal(allowed, x.Seen.OfferedTools);
    }

    [Fact]
    public void Building_the_pipeline_without_a_function_loop_inside_fails_with_the_fix()
    {
        using var root = new TempDirectory();
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = root.Path);
        var builder = new ChatClientBuilder(new GullibleChatClient()).UseFunctionInvocation().UseHermesIsolation();
        var ex = Assert.Throws<InvalidOperationException>(() => builder.Build(services.BuildServiceProvider()));
        Assert.Contains("before UseFunctionInvocation()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tools_receive_the_turns_scope_so_stores_are_the_senders_own()
    {
        await using var h = Create();
        await h.SendAsync(Mei(), "write file notes.txt: mei's notes");

        Assert.Equal("mei's notes", h.ReadData("workspaces", "mei", "notes.txt"));
        Assert.False(File.Exists(Path.Combine(h.Root, "workspaces", "louis", "notes.txt")));
    }

    private sealed class CountingTool(string name) : AIFunction
    {
        private int _runs;

        public int Runs => _runs;

        public override string Name => name;

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            return new ValueTask<object?>("ran");
        }
    }
}
