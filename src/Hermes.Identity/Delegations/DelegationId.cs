using System.Security.Cryptography;

namespace Hermes.Identity.Delegations;

// Delegation ids: "dlg_" and 26 characters of lower-case base32 (RFC 4648 alphabet), 128 random bits. Unguessable, safe
// in a log line, a file name or a URL, and checked for shape before any store read.
internal static class DelegationId
{
    public const string Prefix = "dlg_";
    private const int Characters = 26;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        Span<char> chars = stackalloc char[Prefix.Length + Characters];
        Prefix.AsSpan().CopyTo(chars);
        int buffer = 0, bits = 0, at = Prefix.Length;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[at++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        chars[at] = Alphabet[(buffer << (5 - bits)) & 31]; // the last 3 bits, padded
        return new string(chars);
    }

    // The id cut to its first 6 random characters (30 bits), for text a model may read (a decision's reason, the identity
    // prompt): enough to tell a job's delegations apart, never enough to name one. Logs and the audit carry the whole id.
    public static string Short(string id) => id.Length > Prefix.Length + 6 ? id[..(Prefix.Length + 6)] + "…" : id;

    public static bool IsWellFormed(string? id)
    {
        if (id is null || id.Length != Prefix.Length + Characters || !id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id.AsSpan(Prefix.Length))
        {
            if (Alphabet.IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }
}
