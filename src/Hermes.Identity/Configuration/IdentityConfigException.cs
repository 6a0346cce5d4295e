namespace Hermes.Identity;

/// <summary>An identities file could not be loaded. The message lists every problem as <c>file:line:col: what to fix</c>.</summary>
public sealed class IdentityConfigException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    internal IdentityConfigException(IReadOnlyList<IdentityConfigError> errors)
        : base(Format(errors))
    {
        ArgumentNullException.ThrowIfNull(errors);
        Errors = errors;
    }

    /// <summary>Creates an exception with one problem.</summary>
    internal IdentityConfigException(string file, int line, int column, string message)
        : this([new IdentityConfigError(file, line, column, message)])
    {
    }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<IdentityConfigError> Errors { get; }




    private static string Format(IReadOnlyList<IdentityConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("At least one error is needed.", nameof(errors));
        }

        const int shown = 20;
        var lines = errors.Take(shown).Select(e => e.ToString());
        var more = errors.Count > shown ? $"{Environment.NewLine}... and {errors.Count - shown} more" : string.Empty;
        var head = errors.Count == 1 ? "The identities file is not valid: " : $"The identities file has {errors.Count} problems:{Environment.NewLine}";
        return head + string.Join(Environment.NewLine, lines) + more;
    }
}
