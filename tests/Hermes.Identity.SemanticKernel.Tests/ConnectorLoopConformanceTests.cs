using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.SemanticKernel.Tests;

// The adapter conformance suite against Semantic Kernel's own function-calling loop: a real kernel, the real OpenAI
// connector (its FunctionCallsProcessor runs the calls) talking to an in-process scripted model, UseHermesIsolation().
public sealed class ConnectorLoopConformanceTests : AdapterConformance
{
    protected override string ToolKey(string toolName) => KernelTools.Plugin + "." + toolName;

    protected override void ConfigureServices(IServiceCollection services) => KernelStack.Configure(services, KernelTools.AsFunctions(Tools), KernelLoop.Connector);

    protected override void AddStateStore(IHermesIsolationBuilder isolation) => isolation.AddSqliteState();

    protected override Task<IConformanceStack> CreateStackAsync(HermesHost host) =>
        Task.FromResult<IConformanceStack>(new KernelStack(host, KernelLoop.Connector));
}
