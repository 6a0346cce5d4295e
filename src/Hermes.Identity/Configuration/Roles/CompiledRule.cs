namespace Hermes.Identity.Configuration.Roles;

/// <summary>One rule as compiled: where it came from, its kind and pattern, and the id decisions cite.</summary>
/// <param name="Source"><c>role:trusted</c> or <c>identity:mei</c>.</param>
/// <param name="Kind">Allow, deny or require approval.</param>
/// <param name="Pattern">The action pattern.</param>
internal sealed record CompiledRule(string Source, RuleKind Kind, string Pattern)
{
    /// <summary>The id decisions cite, such as <c>role:trusted/allow/tool.files.*</c>.</summary>
    public string Id { get; } = $"{Source}/{KindName(Kind)}/{Pattern}";

    public static string KindName(RuleKind kind) => kind switch
    {
        RuleKind.Allow => "allow",
        RuleKind.Deny => "deny",
        _ => "require_approval",
    };
}
