using Hermes.Identity.Policy;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests;

// A data root in a temp folder with three people (louis the owner on telegram:1, mei trusted on 2, bob a guest on 3)
// and a DI container with the SQLite session store, deciding with the built-in roles. Deleted on dispose.
internal sealed class TestData : IAsyncDisposable
{
    public static readonly string Identities = TestSupport.Identities.HouseholdOn("1", "2", TestSupport.Identities.Person("bob", "guest", "3"));

    private readonly HermesHost _host;

    /// <param name="backend">A backend asked after the built-in roles, as a host may plug one in.</param>
    /// <param name="identities">identities.yaml; <see cref="Identities"/> when null.</param>
    public TestData(Action<SqliteSessionOptions>? configure = null, IPolicyBackend? backend = null, string? identities = null)
    {
        _host = new HermesHost(
            identities ?? Identities,
            configure: services =>
            {
                services.AddSingleton<IPolicyBackend>(Policy);
                if (backend is not null)
                {
                    services.AddSingleton(backend);
                }
            },
            isolation: builder => builder.AddSqliteSessions(configure),
            folder: new TempDirectory("sessions"));
    }

    public string Root => _host.Root;

    // What the engine asks once the built-in roles allowed it.
    public RecordingPolicyBackend Policy { get; } = new();

    public IServiceProvider Services => _host.Services;

    public SessionDatabasePool Pool => _host.Services.GetRequiredService<SessionDatabasePool>();

    // Export and erase, as registered for the core's ISessionFiles.
    public SessionDatabaseFiles Files => new(Pool);

    public ProfilePaths PathsOf(string profileKey) => _host.Services.GetRequiredService<IIdentitySnapshotProvider>().Current.GetPaths(profileKey);

    public string DatabaseOf(string profileKey) => PathsOf(profileKey).SessionDatabase;

    // Begins a turn for telegram user userId (1 louis/owner, 2 mei/trusted, 3 bob/guest, anything else a guest).
    // Synchronous on purpose: the current turn is an AsyncLocal, which an async helper could not hand back.
    public TurnScope BeginTurn(string userId, string? chatId = null, ChatKind kind = ChatKind.Direct) =>
        _host.Begin("telegram", userId, chatId: chatId, kind: kind);

    // Shuts the "host" down (closes the pool's connections) and keeps the files, to look at them afterwards.
    public ValueTask StopHostAsync() => _host.Services.DisposeAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
