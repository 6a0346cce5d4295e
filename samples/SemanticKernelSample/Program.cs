using Hermes.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using SemanticKernelSample;

// A Semantic Kernel bot that two people share: louis (the owner) and mei (role helper, who may read files but not use
// the terminal). The model is scripted and answers in process, so the sample runs offline; everything else is real:
// the kernel, SK's OpenAI connector and its function-calling loop, and Hermes.Identity's filters.
var root = Path.Combine(Path.GetTempPath(), "hermes-sk-sample-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(root);
File.WriteAllText(Path.Combine(root, "identities.yaml"), """
    version: 1
    unknown_senders: deny
    identities:
      louis: { role: owner, accounts: { telegram: "111" } }
      mei: { role: helper, accounts: { telegram: "222" } }
    roles:
      helper:
        allow: [tool.files.read]
    tools:
      Shell.terminal: exec        # Semantic Kernel functions are listed as Plugin.function
      Files.read_file: files.read
    """);

var services = new ServiceCollection();
services.AddHermesIsolation(o => o.Root = root);
var kernelBuilder = services.AddKernel();
kernelBuilder.Plugins.AddFromType<Shell>("Shell");
kernelBuilder.Plugins.AddFromType<Files>("Files");
kernelBuilder.AddOpenAIChatCompletion("scripted", new Uri("http://127.0.0.1:9/v1"), "offline", httpClient: new HttpClient(new ScriptedModel()));
kernelBuilder.UseHermesIsolation();                     // after the chat service: every call is gated from here on

await using var provider = services.BuildServiceProvider();
var kernel = provider.GetRequiredService<Kernel>();
var chat = kernel.GetRequiredService<IChatCompletionService>();
var resolver = provider.GetRequiredService<IIdentityResolver>();
var turns = provider.GetRequiredService<ITurnScopeFactory>();

async Task<string> HandleMessageAsync(SenderEnvelope sender, string text)
{
    var resolution = await resolver.ResolveAsync(sender);
    await using var turn = turns.BeginTurn(resolution);
    var history = new ChatHistory("You are the household's assistant.");
    history.AddUserMessage(text);
    var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
    var reply = await chat.GetChatMessageContentAsync(history, settings, kernel);
    return reply.Content ?? "";
}

var louis = await HandleMessageAsync(new SenderEnvelope("telegram", "111", displayName: "Louis"), "run uptime");
var mei = await HandleMessageAsync(new SenderEnvelope("telegram", "222", displayName: "Mei"), "run uptime");
Console.WriteLine($"louis: {louis}");
Console.WriteLine($"mei:   {mei}");
Console.WriteLine($"terminal ran {Shell.Runs} time(s)");

Directory.Delete(root, recursive: true);
return louis.Contains("up 3 days", StringComparison.Ordinal) && mei.Contains("did not run", StringComparison.Ordinal) && Shell.Runs == 1 ? 0 : 1;
