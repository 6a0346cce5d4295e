namespace Hermes.Identity.Sessions;

// TEMP contract copy: the sessions branch owns this type; the lead drops this file when merging it.

/// <summary>One session of a profile.</summary>
/// <param name="Id">The session's id.</param>
public sealed record SessionInfo(string Id);
