using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace Hermes.Identity.SemanticKernel.Tests;

// What each request offers when one chat service serves people of different roles one after another with the same
// settings object: the adapter keeps the behaviour it made for a set of functions, and each person must still get
// exactly their own set, decided at their own request.
public sealed class OfferTests
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
          Shell.read_file: files.read
        """;

    private static readonly SenderEnvelope Louis = new("telegram", "111", "111", ChatKind.Direct, "Louis");
    private static readonly SenderEnvelope Ada = new("telegram", "333", "333", ChatKind.Direct, "Ada");
    private static readonly SenderEnvelope Guest = new("telegram", "999", "999", ChatKind.Direct, "Guest");

    [Fact]
    public async Task People_of_different_roles_in_turn_each_get_their_own_offer_from_one_settings_object()
    {
        var terminal = KernelFunctionFactory.CreateFromMethod((string? text) => "terminal ran", "terminal", "Runs a shell command.");
        var readFile = KernelFunctionFactory.CreateFromMethod((string? text) => "read", "read_file", "Reads a file.");
        await using var host = new HermesHost(Yaml, services => KernelStack.Configure(services, [terminal, readFile], KernelLoop.Connector, "Shell"), i => i.AddSqliteState());
        var stack = new KernelStack(host, KernelLoop.Connector, "Shell");
        var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

        var offers = new List<string[]>();
        foreach (var sender in new[] { Ada, Guest, Ada, Louis, Guest, Ada })
        {
            offers.Add(await OfferedAsync(host, stack, sender, settings));
        }

        Assert.Equal(["Shell.terminal"], offers[0]);
        Assert.Equal(["Shell.read_file"], offers[1]); // the built-in guest role reads files
        Assert.Equal(["Shell.terminal"], offers[2]);
        Assert.Equal(["Shell.read_file", "Shell.terminal"], offers[3]);
        Assert.Equal(["Shell.read_file"], offers[4]);
        Assert.Equal(["Shell.terminal"], offers[5]);
        Assert.IsType<AutoFunctionChoiceBehavior>(settings.FunctionChoiceBehavior);
        Assert.Null(((AutoFunctionChoiceBehavior)settings.FunctionChoiceBehavior).Functions); // the caller's settings are left as they were
    }

    private static Task<string[]> OfferedAsync(HermesHost host, KernelStack stack, SenderEnvelope sender, PromptExecutionSettings settings) =>
        host.InTurnAsync(sender, async _ =>
        {
            var seen = new List<ModelRequest>();
            using (ScriptedOpenAIModel.Observe(seen))
            {
                var history = new ChatHistory("You are a helpful assistant.");
                history.AddUserMessage("hello");
                await stack.Chat.GetChatMessageContentAsync(history, settings, stack.Kernel);
            }

            return seen.SelectMany(r => r.Tools).Where(n => n != KernelStack.NoTool).Select(n => KernelTools.Listed(n, "Shell")).Order(StringComparer.Ordinal).ToArray();
        });
}
