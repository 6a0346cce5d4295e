using System.Security.Cryptography;

namespace Hermes.Identity.Internal;

// The codes a person reads on one screen and types on another (pairing and link codes, approval requests, grants): 8
// characters drawn uniformly (RandomNumberGenerator) from 28 that cannot be mistaken for one another when read aloud or
// retyped: no 0/O, 1/I/L, 2/Z, 5/S, 8/B. 28^8 ≈ 3.8e11 codes (about 38 bits); where a code is typed by someone who
// might guess, a lock-out after a few failures makes guessing infeasible.
internal static class ShortCode
{
    public const string Alphabet = "ACDEFGHJKMNPQRTUVWXY23456789";

    public const int Length = 8;

    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    // What a person typed, as a code: upper case, spaces and dashes dropped ("abcd-2345" → "ABCD2345"). Null when it
    // cannot be a code at all.
    public static string? Normalize(string? typed)
    {
        if (typed is null || typed.Length > 64)
        {
            return null;
        }

        Span<char> code = stackalloc char[Length];
        var n = 0;
        foreach (var c in typed)
        {
            if (c is ' ' or '-' or '\t')
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c);
            if (n == Length || !Alphabet.Contains(upper, StringComparison.Ordinal))
            {
                return null;
            }

            code[n++] = upper;
        }

        return n == Length ? new string(code) : null;
    }

    // Compares two codes in constant time, so a comparison's duration tells nothing about how much of a guess was right.
    public static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));
}
