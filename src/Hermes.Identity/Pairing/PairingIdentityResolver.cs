using Hermes.Identity.Profiles;

namespace Hermes.Identity.Pairing;

// The resolver when a state store is registered: reads the paired accounts again if another process may have changed
// them (at most once per refresh interval), resolves against the snapshot in force like SnapshotIdentityResolver, and
// under unknown_senders: pair answers an unknown sender with their pairing code instead of a bare refusal.
internal sealed class PairingIdentityResolver : IIdentityResolver
{
    private readonly SnapshotIdentityResolver _resolver;
    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly PairingLedger _ledger;

    public PairingIdentityResolver(SnapshotIdentityResolver resolver, IIdentitySnapshotProvider snapshots, PairingLedger ledger)
    {
        _resolver = resolver;
        _snapshots = snapshots;
        _ledger = ledger;
    }

    public async ValueTask<IdentityResolution> ResolveAsync(SenderEnvelope sender, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        if (_snapshots is PairedIdentitySnapshotProvider paired)
        {
            await paired.TryRefreshAsync(force: false, cancellationToken).ConfigureAwait(false);
        }

        var snapshot = _snapshots.Current;
        if (snapshot.UnknownSenders != UnknownSenderPolicy.Pair || snapshot.TryGetProfile(sender.Account, out _))
        {
            return _resolver.Resolve(sender, snapshot);
        }

        var resolution = await _ledger.RequestAsync(sender, snapshot, cancellationToken).ConfigureAwait(false);
        _resolver.CountRejected(sender, resolution.RejectionReason!);
        return resolution;
    }
}
