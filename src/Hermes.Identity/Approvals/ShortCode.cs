using System.Security.Cryptography;

namespace Hermes.Identity.Approvals;

// Codes a person reads on one screen and types on another: 8 characters from an alphabet without look-alikes
// (no 0/O, 1/I/L), about 39 bits from a cryptographic generator. Typed codes are compared upper-cased.
internal static class ShortCode
{
    public const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    public const int Length = 8;

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    // The code as stored, or null when the text cannot be one (wrong length or a character outside the alphabet).
    public static string? Normalize(string? typed)
    {
        var text = typed?.Trim().ToUpperInvariant();
        if (text is null || text.Length != Length)
        {
            return null;
        }

        foreach (var c in text)
        {
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return text;
    }
}
