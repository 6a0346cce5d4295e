namespace Hermes.Identity.PersonalData;

/// <summary>What <see cref="ProfileData.ExportAsync"/> wrote.</summary>
public sealed class ProfileDataExport
{
    internal ProfileDataExport(string profileKey, string destination, int files, long bytes, IReadOnlyList<string> skipped)
    {
        ProfileKey = profileKey;
        Destination = destination;
        Files = files;
        Bytes = bytes;
        Skipped = skipped;
    }

    /// <summary>Whose data.</summary>
    public string ProfileKey { get; }

    /// <summary>The folder written: <c>sessions/state.db</c>, <c>memories/</c>, <c>workspace/</c>.</summary>
    public string Destination { get; }

    /// <summary>How many files were written.</summary>
    public int Files { get; }

    /// <summary>How many bytes were written.</summary>
    public long Bytes { get; }

    /// <summary>Entries not exported and why: symbolic links, FIFOs, devices, hard-linked files (their other name may be someone else's).</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <inheritdoc />
    public override string ToString() => $"{ProfileKey} → {Destination}: {Files} files, {Bytes} bytes, {Skipped.Count} skipped";
}
