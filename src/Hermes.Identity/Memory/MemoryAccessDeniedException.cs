using Hermes.Identity.Policy;

namespace Hermes.Identity.Memory;

/// <summary>The policy refused a memory operation. <see cref="Decision"/> says why and under which rules.</summary>
public sealed class MemoryAccessDeniedException : MemoryException
{
    /// <summary>Creates the exception for a refused <paramref name="action"/> on <paramref name="file"/>.</summary>
    public MemoryAccessDeniedException(MemoryFile file, string action, PolicyDecision decision)
        : base($"You may not {(action.EndsWith(".read", StringComparison.Ordinal) ? "read" : "change")} {MemoryEntries.FileName(file)} ({action}): {decision?.Reason}")
    {
        ArgumentNullException.ThrowIfNull(decision);
        File = file;
        Action = action;
        Decision = decision;
    }

    /// <summary>Creates the exception.</summary>
    public MemoryAccessDeniedException()
        : this("The policy refused the memory operation.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MemoryAccessDeniedException(string message)
        : base(message)
    {
        Action = "";
        Decision = PolicyDecision.Deny(message);
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public MemoryAccessDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Action = "";
        Decision = PolicyDecision.Deny(message);
    }

    /// <summary>The file the operation was on.</summary>
    public MemoryFile File { get; }

    /// <summary>The action that was refused, such as <c>memory.shared.write</c>.</summary>
    public string Action { get; }

    /// <summary>The policy's decision.</summary>
    public PolicyDecision Decision { get; }
}
