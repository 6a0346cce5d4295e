using System.Security.Cryptography;

namespace Hermes.Identity.Pairing;

// One-time codes: 8 characters drawn uniformly (RandomNumberGenerator) from 28 that cannot be mistaken for one another
// when read aloud or retyped: no 0/O, 1/I/L, 2/Z, 5/S, 8/B. 28^8 ≈ 3.8e11 codes; with 5 failures per platform per hour
// before a lock-out, guessing one is infeasible.
internal static class PairingCodes
{
    public const string Alphabet = "ACDEFGHJKMNPQRTUVWXY23456789";

    public const int Length = 8;

    public static string Next() => RandomNumberGenerator.GetString(Alphabet, Length);

    // What a person typed, as a code: upper case, spaces and dashes dropped ("abcd-2345" → "ABCD2345"). Null when it
    // cannot be a code at all; such input still counts as a failed attempt.
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

    public static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));
}
