namespace Hermes.Identity.Configuration.Roles;

/// <summary>A tool listed under <c>tools:</c>, compiled: its cache slot, category and action.</summary>
/// <param name="Slot">Index into per-snapshot caches: unique across tools and known actions.</param>
/// <param name="Name">The tool's name.</param>
/// <param name="Category">Its category, such as <c>exec</c>.</param>
/// <param name="Action">Its action, <c>tool.&lt;category&gt;</c>, built once so a check concatenates nothing.</param>
internal sealed record ToolSlot(int Slot, string Name, string Category, string Action);
