namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the optional parts of Hermes.Identity: where identities come from, session storage, policy backends.</summary>
public interface IHermesIsolationBuilder
{
    /// <summary>The service collection the parts are added to.</summary>
    IServiceCollection Services { get; }
}
