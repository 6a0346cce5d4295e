using System.ComponentModel.DataAnnotations;

namespace Hermes.Identity;

/// <summary>Settings of Hermes.Identity. Validated when the host starts.</summary>
public sealed class HermesIsolationOptions
{
    /// <summary>
    /// The data root: identities.yaml, <c>agents/</c>, <c>memories/</c>, <c>workspaces/</c> and <c>audit/</c> live under it.
    /// Relative paths are taken from the current directory. Default: <c>hermes-data</c>.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string Root { get; set; } = "hermes-data";

    /// <summary>The identities file. Default: <c>identities.yaml</c> under <see cref="Root"/>.</summary>
    public string? IdentitiesFile { get; set; }

    /// <summary>How long to wait after the identities file changes before reloading it, so an editor's several writes count as one. 0 to 1 minute; default: 250 ms.</summary>
    public TimeSpan ReloadDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>What to do when the identities file is missing or invalid at start-up. Default: stop the host with the error.</summary>
    public InvalidIdentitiesBehavior OnInvalidIdentitiesAtStartup { get; set; }

    /// <summary>The full path of the identities file in force.</summary>
    internal string IdentitiesFilePath => Path.GetFullPath(IdentitiesFile ?? Path.Combine(Root, "identities.yaml"));
}
