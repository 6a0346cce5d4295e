namespace Hermes.Identity.PersonalData;

/// <summary>What <see cref="ProfileData.EraseAsync"/> removed.</summary>
public sealed class ProfileDataErasure
{
    internal ProfileDataErasure(string profileKey, bool sessionDatabaseErased, int entriesDeleted)
    {
        ProfileKey = profileKey;
        SessionDatabaseErased = sessionDatabaseErased;
        EntriesDeleted = entriesDeleted;
    }

    internal string ProfileKey { get; }

    /// <summary>Whether a session database was there and is gone.</summary>
    public bool SessionDatabaseErased { get; }

    /// <summary>Files, links and folders deleted from the memory folder and the workspace.</summary>
    public int EntriesDeleted { get; }
}
