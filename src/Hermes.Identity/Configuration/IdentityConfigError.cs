namespace Hermes.Identity;

/// <summary>One problem in an identities file, with where it is and what to do about it.</summary>
/// <param name="File">The file's path as given.</param>
/// <param name="Line">The 1-based line.</param>
/// <param name="Column">The 1-based column.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record IdentityConfigError(string File, int Line, int Column, string Message)
{
    /// <summary>Returns <c>file:line:col: message</c>, the form editors and terminals link.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
