using Hermes.Identity.Memory;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Settings of the per-profile memory (<c>MEMORY.md</c>, <c>USER.md</c>, shared memory).</summary>
public static class HermesMemoryBuilderExtensions
{
    /// <summary>Sets the memory limits and lock timeout. They are validated when the host starts.</summary>
    /// <example><c>services.AddHermesIsolation().ConfigureMemory(m => m.NotesLimit = 4_000);</c></example>
    public static IHermesIsolationBuilder ConfigureMemory(this IHermesIsolationBuilder builder, Action<MemoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
