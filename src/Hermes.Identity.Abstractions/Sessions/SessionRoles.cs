namespace Hermes.Identity.Sessions;

/// <summary>The roles a <see cref="SessionMessage"/> may have.</summary>
public static class SessionRoles
{
    /// <summary>The person's message.</summary>
    public static readonly string User = "user";

    /// <summary>The agent's reply, or its tool call.</summary>
    public static readonly string Assistant = "assistant";

    /// <summary>A tool's result.</summary>
    public static readonly string Tool = "tool";

    /// <summary>A system message.</summary>
    public static readonly string System = "system";

    /// <summary>Whether <paramref name="role"/> is one of the four roles (ordinal, lower case).</summary>
    internal static bool IsValid(string? role) => role == User || role == Assistant || role == Tool || role == System;
}
