using System.Text.RegularExpressions;

namespace Hermes.Identity.AI.Tests;

// The per-turn nonce as the model sees it: read from the first line of the identity block.
internal static partial class Nonce
{
    public static string Of(string block)
    {
        var match = First().Match(block);
        Assert.True(match.Success, "no identity block with a nonce in: " + block);
        return match.Groups[1].Value;
    }

    [GeneratedRegex("<hermes-identity nonce=\"([0-9a-f]{32})\">")]
    private static partial Regex First();
}
