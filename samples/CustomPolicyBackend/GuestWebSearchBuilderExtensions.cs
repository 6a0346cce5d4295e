using CustomPolicyBackend;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds <see cref="GuestWebSearchPolicy"/>.</summary>
public static class GuestWebSearchBuilderExtensions
{
    /// <summary>Limits guests' web searches to direct chats and <paramref name="searchesPerHour"/> an hour, on top of the roles.</summary>
    public static IHermesIsolationBuilder AddGuestWebSearchLimit(this IHermesIsolationBuilder builder, int searchesPerHour = 10)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfNegative(searchesPerHour);
        builder.Services.Configure<GuestWebSearchOptions>(o => o.SearchesPerHour = searchesPerHour);
        return builder.AddPolicyBackend<GuestWebSearchPolicy>();
    }
}
