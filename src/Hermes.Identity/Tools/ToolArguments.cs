using System.Security.Cryptography;
using System.Text.Json;

namespace Hermes.Identity.Tools;

/// <summary>
/// The one digest of a tool call's arguments that every adapter computes, so that an approval given for a call made
/// through one stack is recognised whichever adapter presents it again.
/// </summary>
/// <remarks>
/// The digest is SHA-256, as 64 lower-case hex digits, of the arguments written as canonical JSON: one object; its
/// members (at every depth) sorted by name in UTF-16 code-unit order, as RFC 8785 does; no whitespace; integers
/// written as integers and other numbers in their shortest round-trip form (<c>1.0</c> and <c>1</c> are the same);
/// strings with only the escapes JSON requires. No arguments, or null, is <c>{}</c>. Strings, numbers, booleans,
/// null, <see cref="JsonElement"/>, <see cref="System.Text.Json.Nodes.JsonNode"/>, dictionaries with string keys
/// and sequences are written as they are; any other value is first serialised with the
/// <see cref="JsonSerializerOptions"/> passed in (pass <c>AIJsonUtilities.DefaultOptions</c> from
/// Microsoft.Extensions.AI, or your own options with a type resolver). The raw arguments are never logged or stored.
/// </remarks>
public static class ToolArguments
{
    /// <summary>Computes the digest of <paramref name="arguments"/> (see the remarks).</summary>
    /// <param name="arguments">The call's arguments by name, or null for none.</param>
    /// <param name="serializerOptions">Options to serialise values of other types; null when every value is one of the types listed in the remarks.</param>
    /// <returns>64 lower-case hex digits.</returns>
    /// <exception cref="ArgumentException">A value is of a type the canonical writer cannot write and no options that can serialise it were given, or a number is not finite.</exception>
    public static string ComputeDigest(IEnumerable<KeyValuePair<string, object?>>? arguments, JsonSerializerOptions? serializerOptions = null)
    {
        var json = CanonicalJson.Write(arguments, serializerOptions);
        return Convert.ToHexStringLower(SHA256.HashData(json));
    }

    /// <summary>The canonical JSON that <see cref="ComputeDigest"/> hashes, as UTF-8: for checking another implementation against this one.</summary>
    /// <param name="arguments">The call's arguments by name, or null for none.</param>
    /// <param name="serializerOptions">As for <see cref="ComputeDigest"/>.</param>
    /// <returns>The canonical JSON text.</returns>
    public static string ToCanonicalJson(IEnumerable<KeyValuePair<string, object?>>? arguments, JsonSerializerOptions? serializerOptions = null) =>
        System.Text.Encoding.UTF8.GetString(CanonicalJson.Write(arguments, serializerOptions));
}
