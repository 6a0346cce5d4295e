namespace Hermes.Identity.State;

/// <summary>One record of the <see cref="IIdentityStateStore"/>: a kind, a key, a JSON document and its version.</summary>
public sealed class StateRecord
{
    /// <summary>Creates a record as a store returns it.</summary>
    /// <param name="kind">The kind of record, such as <c>pairing</c>.</param>
    /// <param name="key">The key within the kind.</param>
    /// <param name="data">The record's content: a JSON document written by the core.</param>
    /// <param name="version">The version the store gave the record when it was last written; always at least 1.</param>
    /// <param name="expiresAt">When the record stops mattering, or <see langword="null"/> if it does not expire.</param>
    public StateRecord(string kind, string key, string data, long version, DateTimeOffset? expiresAt = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        Kind = kind;
        Key = key;
        Data = data;
        Version = version;
        ExpiresAt = expiresAt;
    }

    /// <summary>The kind of record.</summary>
    public string Kind { get; }

    /// <summary>The key within the kind.</summary>
    public string Key { get; }

    /// <summary>The record's content, a JSON document.</summary>
    public string Data { get; }

    /// <summary>The version the store gave the record when it was last written. Pass it as <see cref="StateChange.ExpectedVersion"/> to change the record only if nobody else has.</summary>
    public long Version { get; }

    /// <summary>
    /// When the record stops mattering, or <see langword="null"/>. The core treats a record past this time as absent, so a
    /// store may delete it any time after (a store need not delete it at all).
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind}/{Key} v{Version}";
}
