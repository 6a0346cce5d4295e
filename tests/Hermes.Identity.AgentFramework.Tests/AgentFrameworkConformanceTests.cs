using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.AgentFramework.Tests;

/// <summary>The adapter conformance suite against the real Agent Framework stack (ChatClientAgent, its function loop and function middleware).</summary>
public sealed class AgentFrameworkConformanceTests : AdapterConformance
{
    protected override Task<IConformanceStack> CreateStackAsync(HermesHost host) =>
        Task.FromResult<IConformanceStack>(new AgentFrameworkStack(host, Tools));

    protected override void AddStateStore(IHermesIsolationBuilder isolation) => isolation.AddSqliteState().AddSqliteSessions();
}
