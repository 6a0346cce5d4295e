namespace Hermes.Identity.Memory;

// TEMP contract copy: the memory branch owns this type; the lead drops this file when merging it.

/// <summary>What the bound profile's memory holds at one moment.</summary>
/// <param name="Memory">MEMORY.md.</param>
/// <param name="User">USER.md.</param>
/// <param name="Shared">The shared MEMORY.md, when the profile may read it.</param>
public sealed record MemorySnapshot(string Memory, string User, string? Shared = null)
{
    /// <summary>Markdown for the system prompt.</summary>
    public string Render() =>
        $"## MEMORY.md\n{Memory}\n\n## USER.md\n{User}" + (Shared is null ? string.Empty : $"\n\n## Shared MEMORY.md\n{Shared}");
}
