namespace Hermes.Identity.Cli.Migration;

/// <summary>An account Hermes let in: from a platform's *_ALLOWED_USERS list (the home's .env) or its pairing file.</summary>
internal sealed record HermesAccount(string Platform, string UserId, string? Name, string Origin);
