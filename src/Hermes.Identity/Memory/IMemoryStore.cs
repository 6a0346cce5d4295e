namespace Hermes.Identity.Memory;

// TEMP contract copy: the memory branch owns this type; the lead drops this file when merging it.

/// <summary>The bound profile's long-term memory (MEMORY.md, USER.md, and shared memory when granted).</summary>
public interface IMemoryStore
{
    /// <summary>Reads the memory the bound profile may see.</summary>
    ValueTask<MemorySnapshot> ReadAsync(CancellationToken cancellationToken = default);
}
