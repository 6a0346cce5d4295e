namespace Hermes.Identity;

/// <summary>Who one turn is for: the admitted profile, the envelope it came from, and the turn's own ids.</summary>
public sealed class TurnContext
{
    internal TurnContext(AgentProfile profile, SenderEnvelope sender, string revision, DateTimeOffset startedAt, Delegation? delegation = null)
    {
        Profile = profile;
        Sender = sender;
        Revision = revision;
        StartedAt = startedAt;
        Delegation = delegation;
    }

    private string? _turnId;
    private string? _nonce;

    // The policy engine's note of the rules this turn's profile has under the role table it last decided with: a
    // decision reuses them while that table (that snapshot) is in force, instead of looking the profile up again.
    // Typed object here because the rules belong to the configuration layer, above this one; only the engine reads it.
    private object? _rules;

    // The budgets of this turn's person under the configuration in force (Budgets.ProfileBudget), kept so that a tool
    // decision finds its counters without a lookup by profile. Typed object for the same reason as the rules.
    private object? _budget;

    /// <summary>The profile the turn is for.</summary>
    public AgentProfile Profile { get; }

    /// <summary>
    /// The platform-verified sender of the message that began the turn. For a turn begun from a delegation, a synthetic
    /// envelope no platform can send and no identities.yaml can name: platform <c>@delegation</c>, user id the
    /// delegation's id, a direct chat, no display name.
    /// </summary>
    public SenderEnvelope Sender { get; }

    /// <summary>
    /// The delegation the turn was begun from (a job or a sub-agent acting for <see cref="Profile"/>), or
    /// <see langword="null"/> for a turn begun from a message. In a delegated turn every decision is the delegator's own
    /// decision under the configuration in force, limited to the delegation's actions, and never waits for an approval.
    /// </summary>
    public Delegation? Delegation { get; }

    /// <summary>The revision of the identity configuration the sender was resolved under.</summary>
    public string Revision { get; }

    /// <summary>A unique id for the turn, for logs and audit records.</summary>
    public string TurnId => Volatile.Read(ref _turnId) ?? Once(ref _turnId, Guid.CreateVersion7().ToString("N"));

    internal string Nonce => Volatile.Read(ref _nonce) ?? Once(ref _nonce, TurnNonce.Create());

    /// <summary>When the turn began.</summary>
    public DateTimeOffset StartedAt { get; }

    internal object? Rules
    {
        get => Volatile.Read(ref _rules);
        set => Volatile.Write(ref _rules, value);
    }

    internal object? Budget
    {
        get => Volatile.Read(ref _budget);
        set => Volatile.Write(ref _budget, value);
    }

    /// <summary>
    /// Throws unless this turn is in progress and is the turn of the calling async flow. Every profile-bound
    /// service calls it before it acts, so a service resolved in one turn never acts after that turn, outside
    /// any turn, or in another person's turn. Stores you write should do the same.
    /// </summary>
    /// <exception cref="NoActiveTurnException">This turn has ended, or the calling flow is in no turn or in another turn.</exception>
    public void ThrowIfNotCurrent()
    {
        var current = AmbientTurn.Peek();
        if (ReferenceEquals(current, this))
        {
            return;
        }

        throw new NoActiveTurnException(current is null
            ? $"This service belongs to turn {TurnId} of profile '{Profile.Key}', and no turn is in progress on this async flow: " +
              "that turn has ended, or the service is used outside it. Resolve profile-bound services from the turn in progress " +
              "(TurnScope.Services, or ICurrentProfile.Services) and do not keep them past the turn."
            : $"This service belongs to turn {TurnId} of profile '{Profile.Key}', but the turn in progress on this async flow is " +
              $"{current.TurnId} of profile '{current.Profile.Key}'. A service resolved in one turn never acts in another: resolve it " +
              "from the services of the turn in progress.");
    }

    // Made on first use (most turns never need both), once, even when two threads ask at the same moment.
    private static string Once(ref string? slot, string value) => Interlocked.CompareExchange(ref slot, value, null) ?? value;

    /// <inheritdoc />
    public override string ToString() => Delegation is { } d
        ? $"turn {TurnId} for {Profile.Key} from job '{d.Job}' ({d.Id})"
        : $"turn {TurnId} for {Profile.Key} from {Sender.Account}";
}
