namespace Hermes.Identity.Directories;

// Compares the accounts of directory people as their "platform:user id" strings, and answers for a PlatformPrincipal
// without building that string: the directory keeps the strings it was given (no second copy of a million user ids)
// and a sender is still looked up with no allocation.
internal sealed class AccountKeyComparer : IEqualityComparer<string>, IAlternateEqualityComparer<PlatformPrincipal, string>
{
    public static readonly AccountKeyComparer Instance = new();

    private AccountKeyComparer()
    {
    }

    public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

    public int GetHashCode(string obj)
    {
        var colon = obj.IndexOf(':', StringComparison.Ordinal);
        return Hash(obj.AsSpan(0, colon), obj.AsSpan(colon + 1));
    }

    public bool Equals(PlatformPrincipal alternate, string other)
    {
        var platform = alternate.Platform;
        var userId = alternate.UserId;
        return other.Length == platform.Length + 1 + userId.Length
            && other[platform.Length] == ':'
            && other.AsSpan(0, platform.Length).SequenceEqual(platform)
            && other.AsSpan(platform.Length + 1).SequenceEqual(userId);
    }

    public int GetHashCode(PlatformPrincipal alternate) => Hash(alternate.Platform, alternate.UserId);

    public string Create(PlatformPrincipal alternate) => alternate.ToString();

    private static int Hash(ReadOnlySpan<char> platform, ReadOnlySpan<char> userId) =>
        (string.GetHashCode(platform) * 31) ^ string.GetHashCode(userId);
}
