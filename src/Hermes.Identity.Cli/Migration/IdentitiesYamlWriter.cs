using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Hermes.Identity.Cli.Migration;

/// <summary>Writes identities.yaml version 1 for migrated people, every scalar quoted (ids stay text: 0123 stays 0123).</summary>
internal static class IdentitiesYamlWriter
{
    private static readonly JsonSerializerOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(IReadOnlyList<PlannedPerson> people, string source)
    {
        var yaml = new StringBuilder();
        yaml.Append("# Written by hermes-identity migrate from ").Append(source).Append('\n');
        yaml.Append("version: 1\n");
        yaml.Append("unknown_senders: deny\n");
        yaml.Append("identities:\n");
        foreach (var person in people)
        {
            yaml.Append("  ").Append(person.Key).Append(":\n");
            if (!string.IsNullOrWhiteSpace(person.DisplayName))
            {
                yaml.Append("    display_name: ").Append(Quote(person.DisplayName)).Append('\n');
            }

            yaml.Append("    role: ").Append(person.Role).Append('\n');
            if (person.Accounts.Count > 0)
            {
                yaml.Append("    accounts:\n");
                foreach (var group in person.Accounts.GroupBy(a => a.Platform, StringComparer.Ordinal))
                {
                    var ids = group.Select(a => Quote(a.UserId)).ToList();
                    yaml.Append("      ").Append(Quote(group.Key)).Append(": ").Append(ids.Count == 1 ? ids[0] : "[" + string.Join(", ", ids) + "]").Append('\n');
                }
            }
        }

        if (people.Any(p => p.Role == ForkIdentities.UserRole))
        {
            yaml.Append("roles:\n");
            yaml.Append("  user:\n");
            yaml.Append("    inherits: guest\n");
        }

        // Hermes Agent's tool names, current and earlier, mapped to the built-in categories (docs/hermes.md); entries
        // added under tools: win over the preset.
        yaml.Append("tool_presets: [hermes]\n");
        return yaml.ToString();
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text, Quoting);
}
