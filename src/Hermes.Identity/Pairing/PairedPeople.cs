namespace Hermes.Identity.Pairing;

// The state store record of every account admitted through pairing or linking (kind "pairing.paired", key "all"). One
// record: its version is the "+p" part of the snapshot revision, and every approval, link and revocation is one
// compare-and-swap on it.
internal sealed class PairedPeople
{
    public List<PairedPerson> People { get; set; } = [];

    public PairedPerson? Find(string profileKey) => People.Find(p => string.Equals(p.Key, profileKey, StringComparison.Ordinal));

    public PairedPerson? FindAccount(string platform, string userId) =>
        People.Find(p => p.Accounts.Exists(a => string.Equals(a.Platform, platform, StringComparison.Ordinal) && string.Equals(a.UserId, userId, StringComparison.Ordinal)));

    public int AccountCount => People.Sum(p => p.Accounts.Count);
}
