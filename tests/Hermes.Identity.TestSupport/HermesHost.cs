using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.TestSupport;

/// <summary>
/// A real service provider built as a host builds it: <c>AddHermesIsolation</c> over an identities.yaml in a fresh
/// temp folder, scopes validated. Begins turns from a sender, as a transport adapter does. Disposing it disposes the
/// provider, then deletes the folder.
/// </summary>
public sealed class HermesHost : IAsyncDisposable
{
    private readonly TempDirectory _folder;

    /// <param name="yaml">The identities.yaml to write; null when <paramref name="folder"/> holds one already.</param>
    /// <param name="configure">Services to add or replace after <c>AddHermesIsolation</c>.</param>
    /// <param name="isolation">Optional parts of the library (<c>.AddSqliteSessions()</c>, <c>.ConfigurePolicy(...)</c>).</param>
    /// <param name="folder">The data root, made and filled beforehand; a fresh one when null. Deleted with the host.</param>
    public HermesHost(string? yaml = Identities.Story, Action<IServiceCollection>? configure = null, Action<IHermesIsolationBuilder>? isolation = null, TempDirectory? folder = null)
    {
        _folder = folder ?? new TempDirectory();
        if (yaml is not null)
        {
            _folder.Write("identities.yaml", yaml);
        }

        var services = new ServiceCollection();
        var builder = services.AddHermesIsolation(o => o.Root = _folder.Path);
        isolation?.Invoke(builder);
        configure?.Invoke(services);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public ServiceProvider Services { get; }

    /// <summary>The data root: identities.yaml, agents/, memories/, workspaces/.</summary>
    public string Root => _folder.Path;

    public TempDirectory Folder => _folder;

    public IIdentityResolver Resolver => Services.GetRequiredService<IIdentityResolver>();

    public ITurnScopeFactory Turns => Services.GetRequiredService<ITurnScopeFactory>();

    public ICurrentProfile Current => Services.GetRequiredService<ICurrentProfile>();

    /// <summary>
    /// Resolves the sender and begins its turn on the caller's flow; dispose the scope to end the turn. Not async on
    /// purpose: the current turn is an AsyncLocal, and one set inside an async helper would not flow back to its caller.
    /// </summary>
    public TurnScope Begin(string platform, string userId, string? displayName = null, string? chatId = null, ChatKind kind = ChatKind.Direct) =>
        Begin(new SenderEnvelope(platform, userId, chatId, kind, displayName));

    /// <inheritdoc cref="Begin(string, string, string?, string?, ChatKind)"/>
    public TurnScope Begin(SenderEnvelope sender)
    {
        var pending = Resolver.ResolveAsync(sender);
        var resolution = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return Turns.BeginTurn(resolution);
    }

    /// <summary>Runs <paramref name="work"/> in a turn of <paramref name="sender"/>'s, ended when the work is done.</summary>
    public async Task<T> InTurnAsync<T>(SenderEnvelope sender, Func<TurnScope, ValueTask<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var resolution = await Resolver.ResolveAsync(sender, cancellationToken);
        await using var turn = Turns.BeginTurn(resolution);
        return await work(turn);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        _folder.Dispose();
    }
}
