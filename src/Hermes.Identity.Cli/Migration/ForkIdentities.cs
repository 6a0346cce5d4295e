using YamlDotNet.RepresentationModel;

namespace Hermes.Identity.Cli.Migration;

/// <summary>
/// Reads the identities.yaml of the Hermes RFC fork (per-user isolation, hermes-agent #21574): a list (or a map) of
/// people with <c>name</c>, <c>role</c> (owner, trusted, user, guest), <c>platforms</c> (platform to id, or a list of ids, or
/// PLATFORM:ID strings), <c>notes</c>, <c>agent</c>, <c>cli_default</c> and <c>default_model</c>. Name, role and platforms
/// carry over; every other field gets a warning naming its line, because version 1 has no equivalent.
/// </summary>
internal static class ForkIdentities
{
    /// <summary>The role fork users of role <c>user</c> get: defined in the written file as inheriting guest.</summary>
    public const string UserRole = "user";

    private static readonly Dictionary<string, string> NoEquivalent = new(StringComparer.Ordinal)
    {
        ["notes"] = "notes about people are not kept in identities.yaml (keep them elsewhere); dropped",
        ["agent"] = "per-person agent settings have no equivalent; configure the agent in the host; dropped",
        ["cli_default"] = "there is no default CLI identity: hermes-identity acts as --as KEY or the one owner; dropped",
        ["default_model"] = "a per-person model choice has no equivalent; choose the model in the host; dropped",
    };

    public static IReadOnlyList<PlannedPerson> Read(string file, string? ownerKey, ISet<string> taken, List<string> warnings)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
        {
            stream.Load(reader);
        }

        if (stream.Documents.Count == 0)
        {
            return [];
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlMappingNode top)
        {
            root = Child(top, "identities") ?? Child(top, "users") ?? Child(top, "people") ?? top;
        }

        var entries = new List<(string? Key, YamlMappingNode Node)>();
        switch (root)
        {
            case YamlSequenceNode list:
                entries.AddRange(list.Children.OfType<YamlMappingNode>().Select(n => ((string?)null, n)));
                break;
            case YamlMappingNode map:
                entries.AddRange(map.Children.Where(kv => kv.Value is YamlMappingNode).Select(kv => (((YamlScalarNode)kv.Key).Value, (YamlMappingNode)kv.Value)));
                break;
            default:
                throw new InvalidDataException($"{file}: expected a list of identities (name, role, platforms).");
        }

        var people = new List<PlannedPerson>();
        foreach (var (mapKey, node) in entries)
        {
            var name = Scalar(node, "name") ?? mapKey;
            var where = $"{file}:{node.Start.Line}:{node.Start.Column}";
            var forkRole = Scalar(node, "role") ?? "guest";
            var key = ProfileKeys.Make(mapKey ?? name, name ?? "person", taken);
            if (ownerKey is not null && (string.Equals(key, ownerKey, StringComparison.Ordinal) || string.Equals(name, ownerKey, StringComparison.OrdinalIgnoreCase)) && forkRole == "owner")
            {
                taken.Remove(key);
                key = ownerKey;
                taken.Add(key);
            }

            var role = forkRole switch
            {
                "owner" when key == ownerKey || ownerKey is null => BuiltInRoles.Owner,
                "owner" => Warn(warnings, $"{where}: {name} was an owner in the fork; only --owner {ownerKey} is owner here, so {key} becomes trusted. Make them owner by hand if you mean it.", BuiltInRoles.Trusted),
                "trusted" => BuiltInRoles.Trusted,
                "user" => Warn(warnings, $"{where}: role user has no built-in equivalent: {key} gets role user, defined as inheriting guest; widen it under roles: if they had more.", UserRole),
                "guest" => BuiltInRoles.Guest,
                _ => Warn(warnings, $"{where}: unknown role '{forkRole}' for {name}: given guest.", BuiltInRoles.Guest),
            };

            var accounts = new List<(string, string)>();
            if (Child(node, "platforms") is { } platforms)
            {
                ReadPlatforms(platforms, accounts, $"{file}:{platforms.Start.Line}:{platforms.Start.Column}", warnings);
            }

            foreach (var (field, value) in node.Children)
            {
                var fieldName = ((YamlScalarNode)field).Value ?? string.Empty;
                if (fieldName is "name" or "role" or "platforms")
                {
                    continue;
                }

                var why = NoEquivalent.TryGetValue(fieldName, out var known) ? known : "not a field of version 1; dropped";
                warnings.Add($"{file}:{field.Start.Line}:{field.Start.Column}: {key}: '{fieldName}': {why}.");
            }

            people.Add(new PlannedPerson(key, name, role, accounts, "fork identities.yaml"));
        }

        return people;
    }

    private static void ReadPlatforms(YamlNode node, List<(string, string)> accounts, string where, List<string> warnings)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (platform, ids) in map.Children)
                {
                    var p = ((YamlScalarNode)platform).Value ?? string.Empty;
                    foreach (var id in ids is YamlSequenceNode list ? list.Children.OfType<YamlScalarNode>() : ids is YamlScalarNode one ? [one] : [])
                    {
                        if (!string.IsNullOrWhiteSpace(id.Value))
                        {
                            accounts.Add((p, id.Value.Trim()));
                        }
                    }
                }

                break;
            case YamlSequenceNode list:
                foreach (var item in list.Children.OfType<YamlScalarNode>())
                {
                    var text = item.Value ?? string.Empty;
                    var colon = text.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        accounts.Add((text[..colon], text[(colon + 1)..]));
                    }
                    else
                    {
                        warnings.Add($"{where}: '{text}' is not PLATFORM:ID: skipped.");
                    }
                }

                break;
            default:
                warnings.Add($"{where}: platforms should map a platform to ids: skipped.");
                break;
        }
    }

    private static T Warn<T>(List<string> warnings, string warning, T value)
    {
        warnings.Add(warning);
        return value;
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;
}
