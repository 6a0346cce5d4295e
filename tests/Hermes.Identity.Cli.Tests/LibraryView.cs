using Hermes.Identity.Memory;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Cli.Tests;

/// <summary>A data root seen through the library's public API, as a host would: a turn of a person, and their stores.</summary>
public sealed class LibraryView : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public LibraryView(string root, Action<IHermesIsolationBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddHermesIsolation(o => o.Root = root).AddSqliteSessions().AddSqliteState();
        configure?.Invoke(builder);
        _services = services.BuildServiceProvider();
    }

    public IServiceProvider Services => _services;

    public IdentitySnapshot Snapshot => _services.GetRequiredService<IIdentitySnapshotProvider>().Current;

    public async Task<T> AsAsync<T>(SenderEnvelope sender, Func<TurnScope, Task<T>> body)
    {
        T result = default!;
        var resolution = await _services.GetRequiredService<ITurnScopeFactory>().RunTurnAsync(sender, async turn => result = await body(turn));
        Assert.True(resolution.IsAdmitted, resolution.RejectionReason);
        return result;
    }

    public Task<IReadOnlyList<SessionInfo>> SessionsAsync(SenderEnvelope sender) =>
        AsAsync(sender, turn => turn.Services.GetRequiredService<ISessionStore>().ListSessionsAsync(includeArchived: true));

    public Task<IReadOnlyList<SessionMessage>> MessagesAsync(SenderEnvelope sender, string sessionId) =>
        AsAsync(sender, turn => turn.Services.GetRequiredService<ISessionStore>().GetMessagesAsync(sessionId));

    public Task<IReadOnlyList<SessionSearchHit>> SearchAsync(SenderEnvelope sender, string query) =>
        AsAsync(sender, turn => turn.Services.GetRequiredService<ISessionStore>().SearchAsync(query));

    public Task<MemorySnapshot> MemoryAsync(SenderEnvelope sender) =>
        AsAsync(sender, turn => turn.Services.GetRequiredService<IMemoryStore>().ReadAsync().AsTask());

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
