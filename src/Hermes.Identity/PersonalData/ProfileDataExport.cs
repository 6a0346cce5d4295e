namespace Hermes.Identity.PersonalData;

/// <summary>What <see cref="ProfileData.ExportAsync"/> wrote.</summary>
/// <param name="ProfileKey">Whose data.</param>
/// <param name="Destination">The folder written: <c>sessions/state.db</c>, <c>memories/</c>, <c>workspace/</c>.</param>
/// <param name="Files">How many files were written.</param>
/// <param name="Bytes">How many bytes were written.</param>
/// <param name="Skipped">Entries not exported and why: symbolic links, FIFOs, devices, hard-linked files (their other name may be someone else's).</param>
public sealed record ProfileDataExport(string ProfileKey, string Destination, int Files, long Bytes, IReadOnlyList<string> Skipped);
