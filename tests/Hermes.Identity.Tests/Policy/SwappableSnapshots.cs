using Hermes.Identity;

namespace Hermes.Identity.Tests.Policy;

// A real IIdentitySnapshotProvider whose snapshot a test swaps, the way a reload does.
internal sealed class SwappableSnapshots(IdentitySnapshot initial) : IIdentitySnapshotProvider
{
    private IdentitySnapshot _current = initial;

    public IdentitySnapshot Current => Volatile.Read(ref _current);

    public void Swap(IdentitySnapshot next) => Volatile.Write(ref _current, next);
}
