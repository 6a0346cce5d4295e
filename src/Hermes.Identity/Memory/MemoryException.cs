namespace Hermes.Identity.Memory;

/// <summary>
/// A memory operation failed in a way the caller (often the model, through a tool) can act on. The
/// message says what happened and what to do, and holds no other person's data.
/// </summary>
public class MemoryException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public MemoryException()
        : base("The memory operation failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MemoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public MemoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
