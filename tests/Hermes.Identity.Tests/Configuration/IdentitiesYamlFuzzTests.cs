using CsCheck;
using Hermes.Identity.Tests.Infrastructure;

namespace Hermes.Identity.Tests.Configuration;

// Whatever the bytes, reading identities.yaml ends in a snapshot or an IdentityConfigException with a
// position: never another exception type, never a hang.
public class IdentitiesYamlFuzzTests
{
    private static readonly string[] Tokens =
    [
        "version: 1\n", "version: 2\n", "identities:\n", "roles:\n", "tools:\n", "unknown_senders: guest\n",
        "  louis:\n", "  mei: ", "    role: owner\n", "    role: ", "trusted", "guest", "family", "\n",
        "    accounts: { telegram: \"111\" }\n", "    accounts:\n", "      telegram: ", "\"222\"", "[a, b]", "{", "}", "[", "]",
        ": ", "- ", "&a ", "*a", "!!str ", "'", "\"", "#", "\t", "  ", "    inherits: trusted\n", "    deny: [tool.web.*]\n",
        "    allow: ['*']\n", "  terminal: exec\n", "---\n", "...\n", "%YAML 1.2\n", "? ", "|\n", ">\n", "~", "null", "\u0000", "\u00e9",
    ];

    [Fact]
    public void Random_yaml_gives_a_snapshot_or_a_positioned_config_error()
    {
        var gen = Gen.Int[0, Tokens.Length - 1].Array[0, 40].Select(ix => string.Concat(ix.Select(i => Tokens[i])));
        gen.Sample(text =>
        {
            try
            {
                IdentitySnapshot.Parse(text, "/srv/hermes");
            }
            catch (IdentityConfigException ex)
            {
                Assert.All(ex.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1, e.ToString()));
            }
        }, iter: 5_000);
    }

    [Fact]
    public void Prefixes_of_a_valid_file_never_crash_the_reader()
    {
        // A file cut short at every possible byte: what a crash or a half-synced copy leaves behind.
        for (var length = 0; length <= Identities.Story.Length; length++)
        {
            try
            {
                IdentitySnapshot.Parse(Identities.Story[..length], "/srv/hermes");
            }
            catch (IdentityConfigException)
            {
            }
        }
    }
}
