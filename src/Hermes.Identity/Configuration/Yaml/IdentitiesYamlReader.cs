using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Hermes.Identity.Configuration.Yaml;

// Maps the YAML tree of identities.yaml (version 1) onto an IdentitySnapshot, collecting every
// problem with its position and a sentence that says what to fix.
internal sealed partial class IdentitiesYamlReader
{
    private static readonly string[] RootKeys = ["version", "unknown_senders", "identities", "roles", "tool_presets", "tools"];
    private static readonly string[] IdentityKeys = ["display_name", "role", "accounts", "allow", "deny", "require_approval", "automated", "budgets"];
    private static readonly string[] RoleKeys = ["inherits", "allow", "deny", "require_approval", "workspace", "description", "budgets"];

    /// <summary>How many roles an 'inherits' chain may pass through.</summary>
    internal const int MaxInheritsDepth = 16;

    private readonly string _file;
    private readonly List<IdentityConfigError> _errors = [];

    private readonly int _maxChars;
    private readonly int _maxEvents;

    private IdentitiesYamlReader(string file, int maxChars, int maxEvents)
    {
        _file = file;
        _maxChars = maxChars;
        _maxEvents = maxEvents;
    }

    public static IdentitySnapshot Read(string text, string file, string root) => Read(text, file, root, IdentitySnapshot.MaxFileBytes, YamlTreeReader.MaxEvents);

    // Larger limits are for benchmarks that load 100,000 identities; files on disk always get the defaults.
    internal static IdentitySnapshot Read(string text, string file, string root, int maxChars, int maxEvents)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new IdentitiesYamlReader(file, maxChars, maxEvents);
        var snapshot = reader.ReadSnapshot(text, root);
        if (reader._errors.Count > 0 || snapshot is null)
        {
            if (reader._errors.Count == 0)
            {
                reader.Error(1, 1, "The identities file could not be read.");
            }

            throw new IdentityConfigException([.. reader._errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        }

        return snapshot;
    }

    internal static string RevisionOf(string text)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    private IdentitySnapshot? ReadSnapshot(string text, string root)
    {
        if (text.Length > _maxChars)
        {
            Error(1, 1, $"The file is {text.Length:N0} characters long; identities files are limited to {_maxChars:N0} (about 15,000 people with one account each). Keep notes and comments short or out of the file; a deployment with more people than that needs a directory of people kept in a database, not one file.");
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            Error(1, 1, "The file is empty. Start it with 'version: 1' and an 'identities:' section (see README, \"identities.yaml\").");
            return null;
        }

        var tree = YamlTreeReader.Read(text, _file, _errors, _maxEvents);
        if (tree is null)
        {
            if (_errors.Count == 0)
            {
                Error(1, 1, "The file holds no YAML document. Start it with 'version: 1'.");
            }

            return null;
        }

        if (tree is not YMapping top)
        {
            Error(tree, "The file must be a mapping with 'version', 'identities' and optionally 'unknown_senders', 'roles' and 'tools'.");
            return null;
        }

        CheckKeys(top, RootKeys, "at the top level");

        var version = Get(top, "version");
        if (version is null)
        {
            Error(top, "'version' is missing. Add 'version: 1' at the top of the file.");
        }
        else if (version is not YScalar { Value: "1" })
        {
            Error(version, $"Unsupported version '{Describe(version)}'. This library reads 'version: 1'.");
        }

        var unknownSenders = UnknownSenderPolicy.Deny;
        if (Get(top, "unknown_senders") is { } unknownNode)
        {
            switch (Scalar(unknownNode, "unknown_senders"))
            {
                case "guest": unknownSenders = UnknownSenderPolicy.Guest; break;
                case "deny": unknownSenders = UnknownSenderPolicy.Deny; break;
                case "pair": unknownSenders = UnknownSenderPolicy.Pair; break;
                case null: break;
                case var other: Error(unknownNode, $"'unknown_senders' is '{other}'; use 'guest' (admit unknown senders as isolated guests), 'pair' (give them a code the owner approves) or 'deny' (refuse them)."); break;
            }
        }

        // A preset's entries first, the file's own 'tools:' over them.
        var tools = ReadToolPresets(Get(top, "tool_presets"));
        foreach (var (tool, category) in ReadTools(Get(top, "tools")))
        {
            tools[tool] = category;
        }

        var categories = new HashSet<string>(PolicyActions.BuiltInToolCategories, StringComparer.Ordinal);
        categories.UnionWith(tools.Values);
        var knownActions = PolicyActions.All.Concat(categories.Select(PolicyActions.ForToolCategory)).ToArray();

        var roles = ReadRoles(Get(top, "roles"), knownActions);
        var (profiles, accounts) = ReadIdentities(Get(top, "identities"), top, roles, knownActions, Path.GetFullPath(root));

        if (_errors.Count > 0)
        {
            return null;
        }

        return new IdentitySnapshot(
            RevisionOf(text),
            _file,
            Path.GetFullPath(root),
            unknownSenders,
            profiles.ToFrozenDictionary(StringComparer.Ordinal),
            accounts.ToFrozenDictionary(),
            roles.ToFrozenDictionary(StringComparer.Ordinal),
            tools.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private Dictionary<string, string> ReadToolPresets(YNode? node)
    {
        var tools = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null || node is YScalar { IsNull: true })
        {
            return tools;
        }

        IEnumerable<YNode> names = node is YSequence sequence ? sequence.Items : [node];
        foreach (var nameNode in names)
        {
            if (nameNode is YMapping)
            {
                Error(nameNode, $"'tool_presets' lists preset names, such as 'tool_presets: [hermes]'; to map a tool yourself, use 'tools:'. Presets: {string.Join(", ", ToolPresets.Names)}.");
                continue;
            }

            var name = Scalar(nameNode, "a tool preset");
            if (name is null)
            {
                continue;
            }

            if (ToolPresets.Find(name) is not { } preset)
            {
                Error(nameNode, $"There is no tool preset '{name}'.{Suggest(name, ToolPresets.Names)} Presets: {string.Join(", ", ToolPresets.Names)}.");
                continue;
            }

            foreach (var (tool, category) in preset)
            {
                tools[tool] = category;
            }
        }

        return tools;
    }

    private Dictionary<string, string> ReadTools(YNode? node)
    {
        var tools = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null || node is YScalar { IsNull: true })
        {
            return tools;
        }

        if (node is not YMapping map)
        {
            Error(node, "'tools' must map each tool name to a category, such as 'terminal: exec'.");
            return tools;
        }

        foreach (var (key, value) in map.Entries)
        {
            if (key.Value.Length == 0 || key.Value.Any(char.IsControl) || key.Value.Length > 128)
            {
                Error(key, "A tool name must be 1 to 128 characters without control characters.");
                continue;
            }

            var category = Scalar(value, $"the category of tool '{key.Value}'");
            if (category is null)
            {
                continue;
            }

            if (!IsDottedName(category))
            {
                Error(value, $"'{category}' is not a valid category for tool '{key.Value}'. Use dotted lower-case words, such as 'exec' or 'files.read'.");
                continue;
            }

            tools[key.Value] = category;
        }

        // "Shell.terminal" also answers to Shell_terminal and Shell-terminal (see ToolNames): an entry under one of
        // those names must not give the same tool another category.
        foreach (var (key, value) in map.Entries)
        {
            if (!tools.TryGetValue(key.Value, out var category))
            {
                continue;
            }

            foreach (var alias in ToolNames.WireAliases(key.Value))
            {
                if (tools.TryGetValue(alias, out var other) && other != category)
                {
                    Error(key, $"Tool '{key.Value}' ({category}) is also reached as '{alias}', which is listed as {other}. A qualified name Plugin.function answers to Plugin_function and Plugin-function too: give them one category, or remove one entry.");
                }
            }
        }

        return tools;
    }

    private Dictionary<string, RoleDefinition> ReadRoles(YNode? node, string[] knownActions)
    {
        var roles = new Dictionary<string, RoleDefinition>(BuiltInRoles.Definitions, StringComparer.Ordinal);
        if (node is null || node is YScalar { IsNull: true })
        {
            return roles;
        }

        if (node is not YMapping map)
        {
            Error(node, "'roles' must map role names to their rules, such as 'family: { inherits: trusted, deny: [tool.web.*] }'.");
            return roles;
        }

        var positions = new Dictionary<string, YScalar>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Entries)
        {
            if (!IsRoleName(key.Value))
            {
                Error(key, $"'{key.Value}' is not a valid role name. Use 1 to 64 characters of a-z, 0-9, '-' or '_', starting with a letter.");
                continue;
            }

            var body = value as YMapping;
            if (body is null && value is not YScalar { IsNull: true })
            {
                Error(value, $"Role '{key.Value}' must be a mapping with 'inherits', 'allow', 'deny', 'require_approval' or 'workspace'.");
                continue;
            }

            body ??= new YMapping([], value.Line, value.Column);
            CheckKeys(body, RoleKeys, $"in role '{key.Value}'");
            if (BudgetsYamlReader.OnlyBudgetsForBuiltIn(key.Value, body, knownActions, Error) is { } withBudgets)
            {
                roles[key.Value] = withBudgets; // 'guest: { budgets: ... }' adds budgets to the built-in guest, keeping its rules
                positions[key.Value] = key;
                continue;
            }

            var workspace = WorkspaceConfinement.Confined;
            if (Get(body, "workspace") is { } ws)
            {
                switch (Scalar(ws, "workspace"))
                {
                    case "confined": break;
                    case "unrestricted": workspace = WorkspaceConfinement.Unrestricted; break;
                    case null: break;
                    case var other: Error(ws, $"'workspace' is '{other}' in role '{key.Value}'; use 'confined' or 'unrestricted'."); break;
                }
            }

            _ = Get(body, "description") is { } description ? Scalar(description, "description") : null;

            var allow = Patterns(Get(body, "allow"), $"'allow' of role '{key.Value}'", knownActions);
            var deny = Patterns(Get(body, "deny"), $"'deny' of role '{key.Value}'", knownActions);
            var requireApproval = Patterns(Get(body, "require_approval"), $"'require_approval' of role '{key.Value}'", knownActions);
            roles[key.Value] = new RoleDefinition(key.Value)
            {
                Inherits = Get(body, "inherits") is { } inherits ? Scalar(inherits, "inherits") : null,
                Allow = allow.Always,
                Deny = deny.Always,
                RequireApproval = requireApproval.Always,
                ConditionalAllow = allow.Conditional,
                ConditionalDeny = deny.Conditional,
                ConditionalRequireApproval = requireApproval.Conditional,
                Workspace = workspace,
                Budgets = BudgetsYamlReader.Read(Get(body, "budgets"), $"role '{key.Value}'", knownActions, Error),
            };
            positions[key.Value] = key;
        }

        // Every 'inherits' names a role, and no chain comes back to where it started.
        foreach (var (name, key) in positions)
        {
            var seen = new List<string> { name };
            var current = roles[name];
            while (current.Inherits is { } parent)
            {
                if (!roles.TryGetValue(parent, out var next))
                {
                    Error(key, $"Role '{current.Name}' inherits '{parent}', which is not a role. Known roles: {string.Join(", ", roles.Keys.Order(StringComparer.Ordinal))}.");
                    break;
                }

                if (seen.Contains(parent))
                {
                    Error(key, $"Role '{name}' inherits in a circle: {string.Join(" → ", seen)} → {parent}. Break the circle.");
                    break;
                }

                // Each role is compiled with every rule up its chain: a bounded depth keeps that cost bounded.
                if (seen.Count >= MaxInheritsDepth)
                {
                    Error(key, $"Role '{name}' inherits through more than {MaxInheritsDepth} roles ({string.Join(" → ", seen)} → …). Flatten the chain.");
                    break;
                }

                seen.Add(parent);
                current = next;
            }
        }

        return roles;
    }

    private (Dictionary<string, AgentProfile> Profiles, Dictionary<PlatformPrincipal, AgentProfile> Accounts) ReadIdentities(
        YNode? node, YMapping top, Dictionary<string, RoleDefinition> roles, string[] knownActions, string root)
    {
        var profiles = new Dictionary<string, AgentProfile>(StringComparer.Ordinal);
        var accounts = new Dictionary<PlatformPrincipal, AgentProfile>();
        if (node is null)
        {
            Error(top, "'identities' is missing. List the people the bot knows under 'identities:', each with a role and accounts.");
            return (profiles, accounts);
        }

        if (node is YScalar { IsNull: true })
        {
            return (profiles, accounts);
        }

        if (node is not YMapping map)
        {
            Error(node, "'identities' must map profile keys to people, such as 'louis: { role: owner, accounts: { telegram: \"732113076\" } }'.");
            return (profiles, accounts);
        }

        var claimedAt = new Dictionary<PlatformPrincipal, (string Key, int Line, int Column)>();
        foreach (var (key, value) in map.Entries)
        {
            if (!ProfileKey.IsValid(key.Value))
            {
                Error(key, $"'{key.Value}' is not a valid profile key. Use 1 to 64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit; it becomes a folder name.");
                continue;
            }

            if (key.Value.StartsWith(ProfileKey.GuestPrefix, StringComparison.Ordinal))
            {
                Error(key, $"Profile keys starting with '{ProfileKey.GuestPrefix}' are reserved for auto-admitted guests. Rename '{key.Value}'.");
                continue;
            }

            if (value is not YMapping body)
            {
                Error(value, $"Identity '{key.Value}' must be a mapping with 'role' and 'accounts'.");
                continue;
            }

            CheckKeys(body, IdentityKeys, $"in identity '{key.Value}'");

            string? role = null;
            if (Get(body, "role") is not { } roleNode)
            {
                Error(body, $"Identity '{key.Value}' has no 'role'. Add 'role: owner', 'role: trusted', 'role: guest' or a role defined under 'roles:'.");
            }
            else if ((role = Scalar(roleNode, "role")) is not null && !roles.ContainsKey(role))
            {
                Error(roleNode, $"Identity '{key.Value}' has role '{role}', which is not defined. Known roles: {string.Join(", ", roles.Keys.Order(StringComparer.Ordinal))}.{Suggest(role, roles.Keys)}");
                role = null;
            }

            var displayName = Get(body, "display_name") is { } dn ? Scalar(dn, "display_name") : null;
            var principals = ReadAccounts(key.Value, Get(body, "accounts"), body, claimedAt);
            var allow = Patterns(Get(body, "allow"), $"'allow' of identity '{key.Value}'", knownActions);
            var deny = Patterns(Get(body, "deny"), $"'deny' of identity '{key.Value}'", knownActions);
            var automated = Automated(Get(body, "automated"), key.Value);
            var requireApproval = Patterns(Get(body, "require_approval"), $"'require_approval' of identity '{key.Value}'", knownActions);
            var budgets = BudgetsYamlReader.Read(Get(body, "budgets"), $"identity '{key.Value}'", knownActions, Error);

            if (role is null)
            {
                continue;
            }

            var profile = new AgentProfile(key.Value, role, root)
            {
                DisplayName = string.IsNullOrWhiteSpace(displayName) ? key.Value : displayName,
                Principals = principals,
                Allow = allow.Always,
                Deny = deny.Always,
                ConditionalAllow = allow.Conditional,
                ConditionalDeny = deny.Conditional,
                AcceptsAutomated = automated,
                RequireApproval = requireApproval.Always,
                ConditionalRequireApproval = requireApproval.Conditional,
                Budgets = budgets,
            };
            profiles.Add(key.Value, profile);
            foreach (var principal in principals)
            {
                accounts[principal] = profile;
            }
        }

        return (profiles, accounts);
    }

    private List<PlatformPrincipal> ReadAccounts(string identity, YNode? node, YMapping body, Dictionary<PlatformPrincipal, (string Key, int Line, int Column)> claimedAt)
    {
        var result = new List<PlatformPrincipal>();
        if (node is null)
        {
            Error(body, $"Identity '{identity}' has no 'accounts'. Add the platform ids that are this person, such as 'accounts: {{ telegram: \"732113076\" }}'.");
            return result;
        }

        if (node is not YMapping map)
        {
            Error(node, $"'accounts' of identity '{identity}' must map platforms to user ids, such as 'telegram: \"732113076\"'.");
            return result;
        }

        foreach (var (platformKey, idsNode) in map.Entries)
        {
            var platform = platformKey.Value.Trim().ToLowerInvariant();
            if (!SenderEnvelope.IsValidPlatform(platform))
            {
                Error(platformKey, $"'{platformKey.Value}' is not a valid platform name. Use lower-case letters, digits, '-' or '_', such as 'telegram'.");
                continue;
            }

            IEnumerable<YNode> idNodes = idsNode is YSequence seq ? seq.Items : [idsNode];
            foreach (var idNode in idNodes)
            {
                var userId = Scalar(idNode, $"the {platform} id of identity '{identity}'");
                if (userId is null)
                {
                    continue;
                }

                try
                {
                    SenderEnvelope.ValidateId(userId, "userId", "user id", allowNull: false);
                }
                catch (ArgumentException ex)
                {
                    Error(idNode, $"{FirstSentence(ex.Message)} (identity '{identity}', {platform}).");
                    continue;
                }

                var principal = new PlatformPrincipal(platform, userId);
                if (claimedAt.TryGetValue(principal, out var first))
                {
                    Error(idNode, first.Key == identity
                        ? $"Account {principal} is listed twice for identity '{identity}' (first at line {first.Line}). Remove one."
                        : $"Account {principal} is claimed by both '{first.Key}' (line {first.Line}, column {first.Column}) and '{identity}'. One account is one person: keep it under one identity.");
                    continue;
                }

                claimedAt.Add(principal, (identity, idNode.Line, idNode.Column));
                result.Add(principal);
            }
        }

        if (result.Count == 0 && map.Entries.Count == 0)
        {
            Error(map, $"Identity '{identity}' lists no accounts, so nobody can ever be resolved to it. Add at least one.");
        }

        return result;
    }

    private static bool IsPattern(string pattern) =>
        pattern == "*" || IsDottedName(pattern.EndsWith(".*", StringComparison.Ordinal) ? pattern[..^2] : pattern);

    private static bool IsDottedName(string name)
    {
        if (name.Length is 0 or > 128)
        {
            return false;
        }

        foreach (var segment in name.Split('.'))
        {
            if (segment.Length == 0 || !char.IsAsciiLetterLower(segment[0]) || !segment.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsRoleName(string name) =>
        name.Length is > 0 and <= 64 && char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    private void CheckKeys(YMapping map, string[] allowed, string where)
    {
        foreach (var (key, _) in map.Entries)
        {
            if (!allowed.Contains(key.Value, StringComparer.Ordinal))
            {
                Error(key, $"Unknown key '{key.Value}' {where}.{Suggest(key.Value, allowed)} Allowed keys: {string.Join(", ", allowed)}.");
            }
        }
    }

    private static YNode? Get(YMapping map, string key)
    {
        foreach (var (k, v) in map.Entries)
        {
            if (string.Equals(k.Value, key, StringComparison.Ordinal))
            {
                return v;
            }
        }

        return null;
    }

    private string? Scalar(YNode node, string what)
    {
        if (node is YScalar scalar && !scalar.IsNull)
        {
            return scalar.Value;
        }

        Error(node, node is YScalar ? $"{Capitalize(what)} is empty; give it a value." : $"{Capitalize(what)} must be a single value, not a list or a mapping.");
        return null;
    }

    private static string Describe(YNode node) => node is YScalar s ? s.Value : node is YSequence ? "a list" : "a mapping";

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }

    private static string Suggest(string value, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Candidate: c, Distance: Distance(value, c)))
            .Where(x => x.Distance <= Math.Max(2, value.Length / 3))
            .OrderBy(x => x.Distance)
            .FirstOrDefault();
        return best.Candidate is null ? string.Empty : $" Did you mean '{best.Candidate}'?";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private void Error(YNode node, string message) => Error(node.Line, node.Column, message);

    private void Error(int line, int column, string message) => _errors.Add(new IdentityConfigError(_file, line, column, message));
}
