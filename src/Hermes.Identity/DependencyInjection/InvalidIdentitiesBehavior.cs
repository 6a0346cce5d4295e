namespace Hermes.Identity;

/// <summary>What the host does when the identities file is missing or invalid at start-up.</summary>
public enum InvalidIdentitiesBehavior
{
    /// <summary>Fail start-up with an error that names the file, line and column. The default.</summary>
    FailStartup = 0,

    /// <summary>Start, log the error, and refuse every sender until a valid file is saved. Never admits anyone by default.</summary>
    DenyEveryone = 1,
}
