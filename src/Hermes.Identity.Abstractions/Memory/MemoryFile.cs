namespace Hermes.Identity.Memory;

/// <summary>Which memory file an edit goes to.</summary>
public enum MemoryFile
{
    /// <summary>
    /// <c>memories/&lt;key&gt;/MEMORY.md</c>: the agent's notes about its work with the bound person.
    /// Read needs <c>memory.read</c>, write needs <c>memory.write</c>.
    /// </summary>
    Notes = 0,

    /// <summary>
    /// <c>memories/&lt;key&gt;/USER.md</c>: what the agent knows about the bound person.
    /// Read needs <c>memory.read</c>, write needs <c>memory.write</c>.
    /// </summary>
    User = 1,

    /// <summary>
    /// <c>memories/_shared/MEMORY.md</c>: memory every profile granted it shares.
    /// Read needs <c>memory.shared.read</c>, write needs <c>memory.shared.write</c>.
    /// </summary>
    Shared = 2,
}
