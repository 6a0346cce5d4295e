namespace Hermes.Identity.PersonalData;

/// <summary>What <see cref="ProfileData.EraseAsync"/> removed.</summary>
/// <param name="ProfileKey">Whose data.</param>
/// <param name="SessionDatabaseErased">Whether a session database was there and is gone.</param>
/// <param name="EntriesDeleted">Files, links and folders deleted from the memory folder and the workspace.</param>
public sealed record ProfileDataErasure(string ProfileKey, bool SessionDatabaseErased, int EntriesDeleted);
