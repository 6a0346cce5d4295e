namespace Hermes.Identity.State;

/// <summary>
/// The state store could not read or write (storage missing, unreadable, corrupt, full, or a server unreachable). What
/// depended on the state is refused, never guessed; the message says what failed and what to check.
/// </summary>
public class StateStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to check.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public StateStoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
