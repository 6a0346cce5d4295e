namespace Microsoft.Extensions.DependencyInjection;

internal sealed class HermesIsolationBuilder(IServiceCollection services) : IHermesIsolationBuilder
{
    public IServiceCollection Services { get; } = services;
}
