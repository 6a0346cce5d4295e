using System.Text;
using CsCheck;
using Hermes.Identity;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Policy;

public sealed record GeneratedRole(string Name, string? Inherits, string[] Allow, string[] Deny, string[] Approval);

public sealed record GeneratedIdentity(string Key, string Role, string[] Allow, string[] Deny);

// A random policy as identities.yaml text, and every decision it gives: through the real YAML reader,
// the real snapshot and the real engine from AddHermesIsolation.
public sealed record GeneratedPolicy(GeneratedRole[] Roles, GeneratedIdentity[] Identities)
{
    public static readonly (string Tool, string Category)[] Tools =
    [
        ("terminal", "exec"), ("read_file", "files.read"), ("write_file", "files.write"), ("web_search", "web.search"),
        ("memory", "memory"), ("session_search", "sessions"), ("sql", "db.query"), ("sql_admin", "db.admin"),
    ];

    public static readonly string[] Actions =
    [
        .. PolicyActions.All,
        .. Tools.Select(t => PolicyActions.ForToolCategory(t.Category)).Distinct(),
        "tool.unlisted",
    ];

    // Every pattern matches at least one known action, as the YAML reader insists.
    public static readonly string[] Patterns =
    [
        "*", "tool.*", "tool.files.*", "tool.web.*", "tool.db.*", "memory.*", "memory.shared.*", "sessions.*", "workspace.*",
        .. Actions.Where(a => a != "tool.unlisted"), // the reader knows no such category: only wildcards reach it
    ];

    private static readonly string[] BuiltIn = [BuiltInRoles.Owner, BuiltInRoles.Trusted, BuiltInRoles.Guest];

    private static Gen<string[]> PatternList => Gen.Int[0, Patterns.Length - 1].Select(i => Patterns[i]).Array[0, 3];

    public static Gen<GeneratedPolicy> Generator => Gen.Int[1, 5].SelectMany(roleCount =>
        Gen.Select(Gen.Int[0, 1000].Array[roleCount], PatternList.Array[roleCount], PatternList.Array[roleCount], PatternList.Array[roleCount], (inherit, allow, deny, approval) =>
            Enumerable.Range(0, roleCount).Select(i =>
            {
                // Inherit from nothing, a built-in role or an earlier generated role: never a cycle.
                List<string?> options = [null, null, .. BuiltIn, .. Enumerable.Range(0, i).Select(j => "r" + j)];
                return new GeneratedRole("r" + i, options[inherit[i] % options.Count], allow[i], deny[i], approval[i]);
            }).ToArray())
        .SelectMany(roles => Gen.Select(
            Gen.Int[0, 1000].Array[1, 6], PatternList.Array[6], PatternList.Array[6], (roleChoice, allow, deny) =>
                new GeneratedPolicy(roles, [.. roleChoice.Select((c, i) =>
                {
                    var names = BuiltIn.Concat(roles.Select(r => r.Name)).ToArray();
                    // Half the identities carry rules of their own.
                    return new GeneratedIdentity("p" + i, names[c % names.Length], c % 2 == 0 ? allow[i] : [], c % 2 == 0 ? deny[i] : []);
                })]))));

    public GeneratedPolicy WithRole(GeneratedRole role) => this with { Roles = [.. Roles.Select(r => r.Name == role.Name ? role : r)] };

    /// <summary>Whether <paramref name="identity"/>'s rules come, directly or through inherits, from <paramref name="role"/>.</summary>
    public bool DependsOn(GeneratedIdentity identity, string role)
    {
        var byName = Roles.ToDictionary(r => r.Name);
        for (string? current = identity.Role; current is not null; current = byName.TryGetValue(current, out var r) ? r.Inherits : null)
        {
            if (current == role)
            {
                return true;
            }
        }

        return false;
    }

    public string ToYaml(Random? shuffle = null)
    {
        IEnumerable<T> Order<T>(IEnumerable<T> items) => shuffle is null ? items : items.OrderBy(_ => shuffle.Next());
        string List(IEnumerable<string> patterns) => "[" + string.Join(", ", Order(patterns).Select(p => $"\"{p}\"")) + "]";

        var yaml = new StringBuilder("version: 1\nunknown_senders: deny\nidentities:\n");
        var account = 1000;
        foreach (var identity in Order(Identities))
        {
            yaml.Append($"  {identity.Key}:\n    role: {identity.Role}\n    accounts: {{ telegram: \"{account + int.Parse(identity.Key[1..])}\" }}\n");
            yaml.Append($"    allow: {List(identity.Allow)}\n    deny: {List(identity.Deny)}\n");
        }

        yaml.Append("roles:\n");
        foreach (var role in Order(Roles))
        {
            yaml.Append($"  {role.Name}:\n");
            if (role.Inherits is not null)
            {
                yaml.Append($"    inherits: {role.Inherits}\n");
            }

            yaml.Append($"    allow: {List(role.Allow)}\n    deny: {List(role.Deny)}\n    require_approval: {List(role.Approval)}\n");
        }

        yaml.Append("tools:\n");
        foreach (var (tool, category) in Order(Tools))
        {
            yaml.Append($"  {tool}: {category}\n");
        }

        return yaml.ToString();
    }

    /// <summary>Every (identity, action) decision of the real engine, for every known action and every tool call.</summary>
    public Dictionary<(string Identity, string Action), PolicyEffect> Decide(Random? shuffle = null)
    {
        using var folder = new TempDirectory("gen");
        var root = folder.Path;
        var snapshot = IdentitySnapshot.Parse(ToYaml(shuffle), root);
        var services = new ServiceCollection();
        services.AddSingleton<IIdentitySnapshotProvider>(new SwappableSnapshots(snapshot));
        services.AddHermesIsolation(o => o.Root = root);
        using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<PolicyEngine>();

        var decisions = new Dictionary<(string, string), PolicyEffect>();
        foreach (var identity in Identities)
        {
            var profile = snapshot.Profiles[identity.Key];
            foreach (var action in Actions)
            {
                decisions[(identity.Key, action)] = engine.EvaluateAsync(new PolicyRequest(profile, action)).AsTask().GetAwaiter().GetResult().Effect;
            }

            foreach (var (tool, category) in Tools.Append(("not_in_the_map", "unlisted")))
            {
                decisions[(identity.Key, tool)] = engine.EvaluateAsync(new PolicyRequest(profile, PolicyActions.ForToolCategory(category), tool)).AsTask().GetAwaiter().GetResult().Effect;
            }
        }

        return decisions;
    }

    /// <summary>The same decisions by the plain reference evaluator.</summary>
    public Dictionary<(string Identity, string Action), PolicyEffect> DecideByReference()
    {
        var roles = new Dictionary<string, RoleDefinition>(BuiltInRoles.Definitions);
        foreach (var role in Roles)
        {
            roles[role.Name] = new RoleDefinition(role.Name) { Inherits = role.Inherits, Allow = role.Allow, Deny = role.Deny, RequireApproval = role.Approval };
        }

        var decisions = new Dictionary<(string, string), PolicyEffect>();
        foreach (var identity in Identities)
        {
            foreach (var action in Actions)
            {
                decisions[(identity.Key, action)] = ReferenceEvaluator.Decide(roles, identity.Role, identity.Allow, identity.Deny, action);
            }

            foreach (var (tool, category) in Tools.Append(("not_in_the_map", "unlisted")))
            {
                decisions[(identity.Key, tool)] = ReferenceEvaluator.Decide(roles, identity.Role, identity.Allow, identity.Deny, PolicyActions.ForToolCategory(category));
            }
        }

        return decisions;
    }

    public override string ToString() => ToYaml();
}
