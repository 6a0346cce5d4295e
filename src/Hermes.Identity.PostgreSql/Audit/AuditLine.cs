using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Hermes.Identity.PostgreSql.Audit;

// One audit record, read as the core's DecisionLogVerifier reads a line of the audit file: it ends with
// ,"hash":"<64 hex>"}, and that hash is the SHA-256 (lower-case hex) of the record with that member removed.
internal static class AuditLine
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private static readonly byte[] HashMember = ",\"hash\":\""u8.ToArray();
    private const int HashSuffixLength = 9 + 64 + 2;

    // Splits a record into its sequence number, previous hash, stated hash and the hash of its content.
    public static bool TryRead(string text, out long seq, out string prev, out string hash, out string computed)
    {
        seq = 0;
        prev = hash = computed = string.Empty;
        var record = Encoding.UTF8.GetBytes(text).AsSpan();
        if (record.Length <= HashSuffixLength || !record[^HashSuffixLength..].StartsWith(HashMember) || !record.EndsWith("\"}"u8))
        {
            return false;
        }

        hash = Encoding.ASCII.GetString(record.Slice(record.Length - HashSuffixLength + HashMember.Length, 64));
        var content = new byte[record.Length - HashSuffixLength + 1];
        record[..^HashSuffixLength].CopyTo(content);
        content[^1] = (byte)'}';
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(content, digest);
        computed = Convert.ToHexStringLower(digest);
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
}
