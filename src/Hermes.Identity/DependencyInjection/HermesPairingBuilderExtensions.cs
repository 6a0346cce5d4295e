using Hermes.Identity.Pairing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Settings of pairing and linking (<c>unknown_senders: pair</c>, <see cref="Pairings"/>).</summary>
public static class HermesPairingBuilderExtensions
{
    /// <summary>Sets the pairing limits (code lifetime, pending cap, request window, lock-out). They are validated when the host starts.</summary>
    /// <example><c>services.AddHermesIsolation().AddSqliteState().ConfigurePairing(p => p.MaxPendingPerPlatform = 5);</c></example>
    public static IHermesIsolationBuilder ConfigurePairing(this IHermesIsolationBuilder builder, Action<PairingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
