using System.ClientModel;
using Hermes.Identity.Sample;
using Microsoft.Extensions.AI;

// dotnet run --project samples/Hermes.Identity.Sample
// Offline by default. To use a real model on an OpenAI-compatible endpoint, set
// HERMES_OPENAI_ENDPOINT, HERMES_OPENAI_KEY and HERMES_OPENAI_MODEL.
var root = Path.Combine(Directory.GetCurrentDirectory(), "hermes-sample-data");
IChatClient? model = null;
if (Environment.GetEnvironmentVariable("HERMES_OPENAI_ENDPOINT") is { Length: > 0 } endpoint)
{
    var key = Environment.GetEnvironmentVariable("HERMES_OPENAI_KEY") ?? throw new InvalidOperationException("Set HERMES_OPENAI_KEY too.");
    var name = Environment.GetEnvironmentVariable("HERMES_OPENAI_MODEL") ?? throw new InvalidOperationException("Set HERMES_OPENAI_MODEL too, such as gpt-4o-mini.");
    model = new OpenAI.Chat.ChatClient(name, new ApiKeyCredential(key), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(endpoint) }).AsIChatClient();
}

return await SampleStory.RunAsync(Console.Out, root, model);
