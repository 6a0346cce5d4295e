namespace Hermes.Identity.Memory;

/// <summary>
/// A memory operation failed in a way the caller (often the model, through a tool) can act on. The
/// message says what happened and what to do, and holds no other person's data.
/// </summary>
public class MemoryException : InvalidOperationException
{
    internal MemoryException(string message)
        : base(message)
    {
    }

    internal MemoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
