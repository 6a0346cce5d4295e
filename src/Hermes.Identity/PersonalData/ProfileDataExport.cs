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

    internal string ProfileKey { get; }

    internal string Destination { get; }

    /// <summary>How many files were written.</summary>
    public int Files { get; }

    /// <summary>How many bytes were written.</summary>
    public long Bytes { get; }

    /// <summary>Entries not exported and why: symbolic links, FIFOs, devices, hard-linked files (their other name may be someone else's).</summary>
    public IReadOnlyList<string> Skipped { get; }
}
