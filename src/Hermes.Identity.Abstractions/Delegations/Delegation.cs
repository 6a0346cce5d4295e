namespace Hermes.Identity;

/// <summary>
/// A persisted delegation: a job or a sub-agent may act for one person (<see cref="ProfileKey"/>) in turns begun
/// from it (<c>ITurnScopeFactory.RunDelegatedTurnAsync</c>), with at most the rights that person holds when
/// each decision is made, and only the actions in <see cref="Actions"/>. Made only by the library
/// (<c>DelegationRegistry.CreateAsync</c>), always for the profile of the turn that created it.
/// </summary>
/// <remarks>The value is a copy of the stored record at the time it was read; the store decides, never this copy.</remarks>
public sealed class Delegation
{
    internal Delegation(
        string id,
        string profileKey,
        string job,
        IReadOnlyList<string>? actions,
        DateTimeOffset createdAt,
        DateTimeOffset? expiresAt,
        string createdInTurn,
        string createdBy,
        IReadOnlyList<string> chain,
        DateTimeOffset? revokedAt = null,
        string? revokedBy = null)
    {
        Id = id;
        ProfileKey = profileKey;
        Job = job;
        Actions = actions;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        CreatedInTurn = createdInTurn;
        CreatedBy = createdBy;
        Chain = chain;
        RevokedAt = revokedAt;
        RevokedBy = revokedBy;
    }

    /// <summary>The delegation's id: <c>dlg_</c> and 26 base32 characters (128 random bits). Unguessable; treat it as a secret of the host.</summary>
    public string Id { get; }

    /// <summary>The profile the delegation acts for: always the profile of the turn that created it.</summary>
    public string ProfileKey { get; }

    /// <summary>The job's name as its creator gave it (for logs, the audit and the prompt); decides nothing.</summary>
    public string Job { get; }

    /// <summary>
    /// The action patterns the delegation is limited to (<c>tool.web.*</c>, <c>memory.read</c>, <c>*</c>), or
    /// <see langword="null"/> for every action the delegator holds. Either way a decision also needs the delegator's own allow.
    /// </summary>
    public IReadOnlyList<string>? Actions { get; }

    /// <summary>When the delegation was created.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When the delegation stops working, or <see langword="null"/> when it lasts until revoked (or its delegator is removed).</summary>
    public DateTimeOffset? ExpiresAt { get; }

    // The id of the turn that created the delegation: kept in the record and the logs for an operator's trail.
    internal string CreatedInTurn { get; }

    /// <summary>
    /// The account of the turn that created it (<c>telegram:222</c>), or, for a delegation a delegated turn created
    /// (a sub-agent's), that turn's sender <c>@delegation:&lt;parent id&gt;</c>.
    /// </summary>
    public string CreatedBy { get; }

    /// <summary>
    /// The id of the delegation whose turn created this one (a sub-agent's parent), or <see langword="null"/> when a
    /// person's own turn created it.
    /// </summary>
    public string? ParentId => Chain.Count == 0 ? null : Chain[^1];

    /// <summary>When the delegation was revoked, or <see langword="null"/>.</summary>
    public DateTimeOffset? RevokedAt { get; }

    /// <summary>The profile that revoked the delegation, or <see langword="null"/>.</summary>
    public string? RevokedBy { get; }

    // The ids of the delegations above this one, the root first: each must still hold when a turn begins from this one.
    internal IReadOnlyList<string> Chain { get; }

    /// <inheritdoc />
    public override string ToString() => $"delegation {Id} (job '{Job}') for {ProfileKey}";
}
