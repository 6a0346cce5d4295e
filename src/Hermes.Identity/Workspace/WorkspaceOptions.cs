using System.ComponentModel.DataAnnotations;

namespace Hermes.Identity.Workspace;

/// <summary>Limits of the per-profile workspace. Validated when the host starts.</summary>
public sealed class WorkspaceOptions
{
    /// <summary>The largest file that may be read or written, in bytes. 1 byte to 1 GiB; default 16 MiB.</summary>
    [Range(1, 1 << 30)]
    public int MaxFileBytes { get; set; } = 16 << 20;

    /// <summary>The most entries one listing returns before it is refused as too large. 1 to 1,000,000; default 10,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxListEntries { get; set; } = 10_000;

    /// <summary>Tests only: use the <c>openat(O_NOFOLLOW)</c> walk even where <c>openat2</c> works.</summary>
    internal bool ForceOpenatWalk { get; set; }
}
