namespace Hermes.Identity.Configuration.Roles;

// The one definition of how an action pattern matches an action, shared by the YAML validator (does
// a pattern match anything?) and the compiled role table (which rules match this action?).
internal static class ActionPattern
{
    public const string Everything = "*";

    /// <summary>Whether <paramref name="pattern"/> matches <paramref name="action"/>: equal, <c>*</c>, or a <c>prefix.*</c> whose <c>prefix.</c> starts the action.</summary>
    public static bool Matches(string pattern, string action) =>
        pattern == Everything
        || string.Equals(pattern, action, StringComparison.Ordinal)
        || IsPrefix(pattern) && action.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal);

    /// <summary>Whether the pattern is <c>prefix.*</c>.</summary>
    public static bool IsPrefix(string pattern) => pattern.Length > 2 && pattern.EndsWith(".*", StringComparison.Ordinal);

    /// <summary>The <c>prefix.</c> of a <c>prefix.*</c> pattern, with its trailing dot: what a matching action starts with.</summary>
    public static string PrefixOf(string pattern) => pattern[..^1];
}
