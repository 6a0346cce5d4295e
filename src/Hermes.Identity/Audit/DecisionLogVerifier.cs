using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Hermes.Identity.Audit;

/// <summary>
/// Checks a hash-chained decision audit file (<c>audit/decisions.jsonl</c>): every record's hash covers its
/// content and the previous record's hash, so an edit, a deletion, an insertion or a reordering breaks the chain.
/// </summary>
public static class DecisionLogVerifier
{
    /// <summary>The <c>prev</c> of the first record.</summary>
    internal const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    // Every record ends with ,"hash":"<64 hex>"} — the hash is of the record with that member removed.
    private static readonly byte[] HashMember = ",\"hash\":\""u8.ToArray();
    private const int HashSuffixLength = 9 + 64 + 2;

    /// <summary>Reads and checks the audit file at <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static DecisionLogVerification Verify(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = File.ReadAllBytes(path);
        var problems = new List<string>();
        var expectedSeq = 1L;
        var previous = GenesisHash;
        var count = 0L;
        var torn = false;
        var line = 0;
        var rest = bytes.AsSpan();
        while (rest.Length > 0)
        {
            line++;
            var end = rest.IndexOf((byte)'\n');
            if (end < 0)
            {
                torn = true; // a record without its newline was never acknowledged
                break;
            }

            var record = rest[..end];
            rest = rest[(end + 1)..];
            if (!TryRead(record, out var seq, out var prev, out var hash, out var computed))
            {
                problems.Add($"Line {line}: not a whole decision record; it was edited or corrupted.");
                continue;
            }

            count++;
            if (!string.Equals(hash, computed, StringComparison.Ordinal))
            {
                problems.Add($"Line {line}: record {seq} was changed after it was written (its hash does not match its content).");
            }

            if (seq != expectedSeq)
            {
                problems.Add($"Line {line}: record {seq} where {expectedSeq} was expected: records were deleted, inserted or reordered.");
            }
            else if (!string.Equals(prev, previous, StringComparison.Ordinal))
            {
                problems.Add($"Line {line}: record {seq} does not follow the record before it: the chain is broken there.");
            }

            // Carry on from this record, so one deletion is one problem, not a cascade.
            expectedSeq = seq + 1;
            previous = computed;
        }

        return new DecisionLogVerification(count, previous, torn, problems);
    }

    /// <summary>Splits a record line into its sequence number, previous hash, stated hash and the hash of its content.</summary>
    internal static bool TryRead(ReadOnlySpan<byte> record, out long seq, out string prev, out string hash, out string computed)
    {
        seq = 0;
        prev = hash = computed = string.Empty;
        if (record.Length <= HashSuffixLength || !record[^HashSuffixLength..].StartsWith(HashMember) || !record.EndsWith("\"}"u8))
        {
            return false;
        }

        hash = Encoding.ASCII.GetString(record.Slice(record.Length - HashSuffixLength + HashMember.Length, 64));
        // The content is the record without its hash member: the same bytes the writer hashed.
        var content = new byte[record.Length - HashSuffixLength + 1];
        record[..^HashSuffixLength].CopyTo(content);
        content[^1] = (byte)'}';
        computed = HashOf(content);
        try
        {
            var reader = new Utf8JsonReader(content, new JsonReaderOptions { AllowTrailingCommas = false });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var foundSeq = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("seq"u8) && reader.TokenType == JsonTokenType.Number)
                {
                    foundSeq = reader.TryGetInt64(out seq);
                }
                else if (name.SequenceEqual("prev"u8) && reader.TokenType == JsonTokenType.String)
                {
                    prev = reader.GetString() ?? string.Empty;
                }
                else
                {
                    reader.Skip();
                }
            }

            return foundSeq && prev.Length == 64;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>SHA-256, lower-case hex, of a record's content (the record without its hash member).</summary>
    internal static string HashOf(ReadOnlySpan<byte> content)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(content, digest);
        return Convert.ToHexStringLower(digest);
    }
}
