namespace Hermes.Identity.Cli.Migration;

/// <summary>What <c>migrate hermes</c> was asked to do.</summary>
internal sealed record MigrationOptions(
    string Home,
    string Root,
    string Owner,
    IReadOnlyList<(string Platform, string UserId)> OwnerAccounts,
    string? OwnerName,
    string AllowedRole,
    string PairedRole,
    bool Apply);
