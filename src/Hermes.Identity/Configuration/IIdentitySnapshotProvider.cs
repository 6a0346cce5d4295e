using Microsoft.Extensions.Primitives;

namespace Hermes.Identity;

/// <summary>Gives the identity configuration in force. Implementations swap whole snapshots, never edit one.</summary>
public interface IIdentitySnapshotProvider
{
    /// <summary>The snapshot in force. Read it once per operation and use that one throughout.</summary>
    /// <exception cref="IdentityConfigException">No valid configuration was ever loaded.</exception>
    IdentitySnapshot Current { get; }

    /// <summary>
    /// A token that fires once a new snapshot, with a new <see cref="IdentitySnapshot.Revision"/>, has been swapped in:
    /// <see cref="Current"/> already returns it when the token's callbacks run. A reload that fails, or that reads the
    /// same content again, does not fire it.
    /// </summary>
    /// <remarks>
    /// Each token fires once, like <c>IConfiguration.GetReloadToken()</c>: ask for a new one after it fired, or let
    /// <c>ChangeToken.OnChange(provider.GetReloadToken, …)</c> do that. Callbacks run on the thread that swapped the
    /// snapshot in; keep them short. The default implementation returns a token that never fires, which is right for
    /// a provider whose snapshot never changes; a provider that swaps snapshots should override it.
    /// </remarks>
    /// <returns>The token for the next reload.</returns>
    IChangeToken GetReloadToken() => NeverChanges;

    private static readonly IChangeToken NeverChanges = new CancellationChangeToken(CancellationToken.None);
}
