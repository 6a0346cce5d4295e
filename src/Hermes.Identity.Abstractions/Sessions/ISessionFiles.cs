namespace Hermes.Identity.Sessions;

/// <summary>
/// What a session store gives <c>ProfileData</c> so that exporting or erasing a person's data
/// includes their sessions. Implement it beside your <see cref="ISessionStore"/>; hosts never call it directly, and
/// the caller has already checked the policy (<c>profile.export</c>, <c>profile.erase</c>, <c>identity.admin</c>).
/// </summary>
public interface ISessionFiles
{
    /// <summary>
    /// Writes a consistent copy of the session database at <paramref name="databasePath"/> (as of one transaction) to
    /// <paramref name="destinationFile"/>, which must not exist.
    /// </summary>
    /// <returns><see langword="false"/> when the profile has no session database.</returns>
    Task<bool> ExportAsync(string databasePath, string destinationFile, CancellationToken cancellationToken = default);

    /// <summary>Closes the session database at <paramref name="databasePath"/> everywhere and deletes it with its side files.</summary>
    /// <returns><see langword="false"/> when there was none.</returns>
    Task<bool> EraseAsync(string databasePath, CancellationToken cancellationToken = default);
}
