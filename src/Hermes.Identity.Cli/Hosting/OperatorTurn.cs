using Hermes.Identity.Cli.Output;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Cli.Hosting;

/// <summary>
/// Operator commands act as a person of identities.yaml, in a turn of their own, as if they had typed the command in a
/// direct chat on their first account: <c>--as KEY</c>, or else the one profile with role owner. Every right is then
/// checked by the library exactly as for a chat command, and every decision is logged with that profile.
/// </summary>
internal static class OperatorTurn
{
    public static AgentProfile Choose(DataRoot data, string? asKey)
    {
        if (asKey is not null)
        {
            return data.RequireProfile(asKey);
        }

        var owners = data.Snapshot.Profiles.Values.Where(p => !p.IsGuest && p.Role == BuiltInRoles.Owner).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        return owners.Count switch
        {
            1 => owners[0],
            0 => throw new CliException(ExitCodes.Usage, "identities.yaml has no profile with role owner: name the profile to act as with --as KEY."),
            _ => throw new CliException(ExitCodes.Usage, $"identities.yaml has {owners.Count} owners ({string.Join(", ", owners.Select(o => o.Key))}): say which one acts with --as KEY."),
        };
    }

    public static SenderEnvelope SenderFor(AgentProfile profile, string? platform = null, string? chatId = null, ChatKind chatKind = ChatKind.Direct)
    {
        var account = profile.Accounts.FirstOrDefault(a => platform is null || a.StartsWith(platform + ":", StringComparison.Ordinal))
            ?? throw new CliException(ExitCodes.Usage, $"Profile '{profile.Key}' has no account{(platform is null ? string.Empty : " on " + platform)} in identities.yaml, so no turn can begin for it. Add one under accounts:, or act as another profile with --as KEY.");
        var colon = account.IndexOf(':', StringComparison.Ordinal);
        return new SenderEnvelope(account[..colon], account[(colon + 1)..], chatId, chatKind);
    }

    /// <summary>Runs <paramref name="body"/> in a turn of the operator's profile.</summary>
    public static async Task<T> RunAsync<T>(DataRoot data, string? asKey, Func<TurnScope, Task<T>> body, CancellationToken cancellationToken)
    {
        var profile = Choose(data, asKey);
        return await RunAsAsync(data, SenderFor(profile), body, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<T> RunAsAsync<T>(DataRoot data, SenderEnvelope sender, Func<TurnScope, Task<T>> body, CancellationToken cancellationToken)
    {
        var turns = data.Get<ITurnScopeFactory>();
        T result = default!;
        var resolution = await turns.RunTurnAsync(sender, async turn => result = await body(turn).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (!resolution.IsAdmitted)
        {
            throw new CliException(ExitCodes.Problems, $"No turn could begin for {sender.Platform}:{sender.UserId}: {resolution.RejectionReason}");
        }

        return result;
    }

    public static T Service<T>(this TurnScope turn)
        where T : notnull => turn.Services.GetRequiredService<T>();
}
