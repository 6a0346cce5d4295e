using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.SemanticKernel.Tests;

// The adapter conformance suite against Semantic Kernel over Microsoft.Extensions.AI: the kernel's chat service is an
// IChatClient pipeline (Hermes's UseHermesIsolation, then SK's KernelFunctionInvokingChatClient) used through
// AsChatCompletionService(), and the kernel has UseHermesIsolation() too.
public sealed class ChatClientLoopConformanceTests : AdapterConformance
{
    protected override string ToolKey(string toolName) => KernelTools.Plugin + "." + toolName;

    protected override void ConfigureServices(IServiceCollection services) => KernelStack.Configure(services, KernelTools.AsFunctions(Tools), KernelLoop.ChatClient);

    protected override void AddStateStore(IHermesIsolationBuilder isolation) => isolation.AddSqliteState();

    protected override Task<IConformanceStack> CreateStackAsync(HermesHost host) =>
        Task.FromResult<IConformanceStack>(new KernelStack(host, KernelLoop.ChatClient));
}
