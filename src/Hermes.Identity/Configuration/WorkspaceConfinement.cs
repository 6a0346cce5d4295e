namespace Hermes.Identity;

/// <summary>Whether a role's file access is confined to the profile's workspace folder.</summary>
internal enum WorkspaceConfinement
{
    /// <summary>Confined to <c>workspaces/&lt;key&gt;/</c> by the kernel (<c>workspace: confined</c>). The default.</summary>
    Confined = 0,

    /// <summary>Not confined (<c>workspace: unrestricted</c>): the owner's default, for their own machine.</summary>
    Unrestricted = 1,
}
