using Hermes.Identity.Internal;
using Hermes.Identity.Profiles;

namespace Hermes.Identity.Tests.Infrastructure;

/// <summary>The real resolver over a fixed snapshot.</summary>
public static class TestResolver
{
    private sealed class Fixed(IdentitySnapshot snapshot) : IIdentitySnapshotProvider
    {
        public IdentitySnapshot Current => snapshot;
    }

    public static IIdentityResolver Over(IdentitySnapshot snapshot)
        => new SnapshotIdentityResolver(new Fixed(snapshot), new HermesMetrics());

    public static IIdentityResolver Story(string root = "/srv/hermes") => Over(Identities.StorySnapshot(root));
}
