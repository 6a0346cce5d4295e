using System.Diagnostics.CodeAnalysis;

namespace Hermes.Identity.Sessions;

/// <summary>
/// A session store could not read or write a profile's sessions because of its storage: the disk is full,
/// the file is not a database or is damaged, it is read-only, it cannot be opened, or it was replaced while
/// in use. The message names the profile and the file, says what happened to the data (for a write: whether
/// anything was written) and what to do. Any session store may throw it; the original error, if any, is the
/// <see cref="Exception.InnerException"/>.
/// </summary>
[SuppressMessage("Design", "CA1032:Implement standard exception constructors", Justification = "Every instance must carry a message naming the profile, the file and what to do; no constructor without one.")]
public sealed class SessionStoreException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened, to which profile's file, and what to do about it.</param>
    /// <param name="innerException">The storage error behind it, if any.</param>
    public SessionStoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
