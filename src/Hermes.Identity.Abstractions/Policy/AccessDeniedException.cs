namespace Hermes.Identity;

/// <summary>
/// The policy refused something a profile-bound service was asked to do: reading or writing memory, the
/// workspace, another person's sessions, exporting or erasing a person's data. <see cref="Decision"/> says why
/// and under which rules; the same decision is in the decision log.
/// </summary>
public sealed class AccessDeniedException : Exception
{
    /// <summary>Creates the exception for a refused <paramref name="action"/>. Stores you write throw it when the policy says no.</summary>
    /// <param name="action">The action refused, such as <c>sessions.read.all</c>.</param>
    /// <param name="resource">What it was on, or <see langword="null"/>.</param>
    /// <param name="decision">The policy's decision (not an allow).</param>
    public AccessDeniedException(string action, string? resource, PolicyDecision decision)
        : this(action, resource, decision, null)
    {
    }

    internal AccessDeniedException(string action, string? resource, PolicyDecision decision, string? what)
        : base($"{what ?? "Refused"} ({action}{(resource is null ? string.Empty : " on " + resource)}): {decision?.Reason}")
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentNullException.ThrowIfNull(decision);
        Action = action;
        Resource = resource;
        Decision = decision;
    }

    /// <summary>The action that was refused, such as <c>memory.shared.write</c>.</summary>
    public string Action { get; }

    /// <summary>What the action was on, or <see langword="null"/>.</summary>
    public string? Resource { get; }

    /// <summary>The policy's decision: a deny, or an approval that has not been given.</summary>
    public PolicyDecision Decision { get; }
}
