namespace Hermes.Identity.State;

/// <summary>
/// One change in an <see cref="IIdentityStateStore.TryCommitAsync"/>: write or delete one record, on the condition that
/// the record is at <see cref="ExpectedVersion"/>.
/// </summary>
public sealed class StateChange
{
    private StateChange(string kind, string key, string? data, long? expectedVersion, DateTimeOffset? expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (expectedVersion is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "An expected version is 0 (the record must not exist), a version a store returned, or null (no condition).");
        }

        Kind = kind;
        Key = key;
        Data = data;
        ExpectedVersion = expectedVersion;
        ExpiresAt = expiresAt;
    }

    /// <summary>The kind of the record to change.</summary>
    public string Kind { get; }

    /// <summary>The key of the record to change.</summary>
    public string Key { get; }

    /// <summary>The record's new content (a JSON document), or <see langword="null"/> to delete the record.</summary>
    public string? Data { get; }

    /// <summary>
    /// The condition: <c>0</c> when the record must not exist (an expired record the store still holds counts as
    /// existing: read it and pass its version), the record's current <see cref="StateRecord.Version"/> when it must not
    /// have changed since it was read, or <see langword="null"/> for no condition.
    /// </summary>
    public long? ExpectedVersion { get; }

    /// <summary>When the written record stops mattering, or <see langword="null"/>. Ignored for a delete.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Whether this change deletes the record.</summary>
    public bool IsDelete => Data is null;

    /// <summary>Writes a record (creating or replacing it).</summary>
    /// <param name="kind">The record's kind.</param>
    /// <param name="key">The record's key.</param>
    /// <param name="data">The record's content, a JSON document.</param>
    /// <param name="expectedVersion">0: must not exist; a version: must still be at it; <see langword="null"/>: no condition.</param>
    /// <param name="expiresAt">When the record stops mattering, or <see langword="null"/>.</param>
    public static StateChange Put(string kind, string key, string data, long? expectedVersion, DateTimeOffset? expiresAt = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new(kind, key, data, expectedVersion, expiresAt);
    }

    /// <summary>Deletes a record. Deleting a record that does not exist succeeds when the condition allows it (0 or <see langword="null"/>).</summary>
    /// <param name="kind">The record's kind.</param>
    /// <param name="key">The record's key.</param>
    /// <param name="expectedVersion">The version the record must still be at, or <see langword="null"/> for no condition.</param>
    public static StateChange Delete(string kind, string key, long? expectedVersion) => new(kind, key, null, expectedVersion, null);

    /// <inheritdoc />
    public override string ToString() => $"{(IsDelete ? "delete" : "put")} {Kind}/{Key} if v{(ExpectedVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*")}";
}
