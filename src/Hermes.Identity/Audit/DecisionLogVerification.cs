namespace Hermes.Identity.Audit;

/// <summary>What <see cref="DecisionLogVerifier.Verify"/> found in a decision audit file, or a verifier of another audit sink in its records.</summary>
public sealed class DecisionLogVerification
{
    /// <summary>The result of checking a hash-chained decision audit: for a verifier of an <see cref="IDecisionAuditSink"/>'s records.</summary>
    /// <param name="recordCount">How many whole records were read.</param>
    /// <param name="lastHash">The hash of the last whole record.</param>
    /// <param name="hasTornLastLine">Whether the records end in a partial one, never acknowledged.</param>
    /// <param name="problems">Each problem found, naming where.</param>
    public DecisionLogVerification(long recordCount, string lastHash, bool hasTornLastLine, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(lastHash);
        ArgumentNullException.ThrowIfNull(problems);
        RecordCount = recordCount;
        LastHash = lastHash;
        HasTornLastLine = hasTornLastLine;
        Problems = problems;
    }

    /// <summary>Whether every record is whole, unchanged and in its place, and the file does not end in a torn record.</summary>
    public bool IsIntact => Problems.Count == 0 && !HasTornLastLine;

    /// <summary>How many whole records the file holds.</summary>
    public long RecordCount { get; }

    /// <summary>
    /// The hash of the last whole record. The chain cannot show that records were cut from the end;
    /// keep this value somewhere else (a log shipper, a daily note) and compare it later to find out.
    /// </summary>
    public string LastHash { get; }

    /// <summary>Whether the file ends in a partial record: a write cut short by a crash, never acknowledged.</summary>
    public bool HasTornLastLine { get; }

    /// <summary>Each problem found, naming its line (or row): an edited, deleted, inserted or reordered record.</summary>
    public IReadOnlyList<string> Problems { get; }
}
