using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Profiles;

// Resolves a sender against the snapshot in force: (platform, user id) and nothing else.
internal sealed class SnapshotIdentityResolver : IIdentityResolver
{
    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly HermesMetrics _metrics;
    private readonly ILogger _logger;

    public SnapshotIdentityResolver(IIdentitySnapshotProvider snapshots, HermesMetrics metrics, ILoggerFactory? loggerFactory = null)
    {
        _snapshots = snapshots;
        _metrics = metrics;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Resolution");
    }

    public ValueTask<IdentityResolution> ResolveAsync(SenderEnvelope sender, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        return new ValueTask<IdentityResolution>(Resolve(sender, _snapshots.Current));
    }

    internal IdentityResolution Resolve(SenderEnvelope sender, IdentitySnapshot snapshot)
    {
        var principal = sender.Account;
        if (snapshot.TryGetProfile(principal, out var profile))
        {
            if (_metrics.Resolutions.Enabled)
            {
                _metrics.Resolutions.Add(1, new("outcome", "known"), new("role", profile.Role));
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.SenderResolved(_logger, principal, profile.Key, profile.Role, snapshot.Revision);
            }

            return IdentityResolution.Admitted(sender, profile, snapshot.Revision);
        }

        if (snapshot.UnknownSenders == UnknownSenderPolicy.Guest)
        {
            var key = ProfileKey.ForGuest(principal);
            var guest = new AgentProfile(key, BuiltInRoles.Guest, snapshot.Root)
            {
                DisplayName = "Guest on " + principal.Platform,
                Principals = [principal],
                IsGuest = true,
            };
            _metrics.Resolutions.Add(1, new("outcome", "guest"), new("role", BuiltInRoles.Guest));
            Log.GuestAdmitted(_logger, principal, key);
            return IdentityResolution.Admitted(sender, guest, snapshot.Revision);
        }

        if (snapshot.UnknownSenders == UnknownSenderPolicy.Pair)
        {
            // The pairing resolver answers these; it is registered only with a state store to keep the codes in.
            throw new InvalidOperationException(PairingNeedsStateStore);
        }

        const string reason = "This bot only answers people its owner has listed, and you are not on the list.";
        CountRejected(sender, reason);
        return IdentityResolution.Rejected(sender, reason, snapshot.Revision);
    }

    internal const string PairingNeedsStateStore =
        "identities.yaml says 'unknown_senders: pair', which keeps pending pairing codes in the identity state store, and none is registered: " +
        "call AddSqliteState() (Hermes.Identity.Sqlite) or register an IIdentityStateStore.";

    internal void CountRejected(SenderEnvelope sender, string reason)
    {
        _metrics.Resolutions.Add(1, new("outcome", "rejected"), new("role", "none"));
        Log.SenderRejected(_logger, sender.Account, reason);
    }
}
