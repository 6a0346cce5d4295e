using System.Security.Cryptography;
using System.Text;

namespace Hermes.Identity;

/// <summary>
/// Profile keys: <c>[a-z0-9][a-z0-9_-]{0,63}</c>, safe as a folder name on every OS.
/// Keys starting with <c>guest-</c> are reserved for auto-admitted guests.
/// </summary>
public static class ProfileKey
{
    internal const string GuestPrefix = "guest-";

    /// <summary>Whether <paramref name="key"/> is a well-formed profile key.</summary>
    public static bool IsValid(string? key)
    {
        if (key is null || key.Length is 0 or > 64 || !char.IsAsciiLetterLower(key[0]) && !char.IsAsciiDigit(key[0]))
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    internal static void ThrowIfInvalid(string? key)
    {
        if (!IsValid(key))
        {
            throw new ArgumentException(
                $"'{SenderEnvelope.Printable(key ?? "(null)")}' is not a valid profile key. Use 1 to 64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit, such as \"louis\".",
                nameof(key));
        }
    }

    // The key of an auto-admitted guest: guest-<platform>-<first 12 hex digits of sha256(userId)>. The raw user id never appears in a path.
    internal static string ForGuest(PlatformPrincipal principal)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(principal.UserId), hash);
        return string.Concat(GuestPrefix, principal.Platform, "-", Convert.ToHexStringLower(hash[..6]));
    }
}
