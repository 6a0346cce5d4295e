namespace Hermes.Identity.Cli.Migration;

/// <summary>A person the migration writes into identities.yaml: key, name, role, accounts, and where they came from.</summary>
internal sealed record PlannedPerson(string Key, string? DisplayName, string Role, IReadOnlyList<(string Platform, string UserId)> Accounts, string Origin);
