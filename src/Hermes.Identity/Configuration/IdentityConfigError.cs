namespace Hermes.Identity;

/// <summary>One problem in an identities file, with where it is and what to do about it.</summary>
public sealed class IdentityConfigError
{
    internal IdentityConfigError(string file, int line, int column, string message)
    {
        File = file;
        Line = line;
        Column = column;
        Message = message;
    }

    /// <summary>The file's path as given.</summary>
    public string File { get; }

    /// <summary>The 1-based line.</summary>
    public int Line { get; }

    /// <summary>The 1-based column.</summary>
    public int Column { get; }

    /// <summary>What is wrong and how to fix it.</summary>
    public string Message { get; }

    /// <summary>Returns <c>file:line:col: message</c>, the form editors and terminals link.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
