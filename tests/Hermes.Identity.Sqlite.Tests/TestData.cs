using Hermes.Identity.Policy;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests;

// A data root in a temp folder with three people (owner, trusted, guest) and a DI container with the
// SQLite session store. Deleted on dispose.
internal sealed class TestData : IAsyncDisposable
{
    public const string Identities = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { telegram: "1" }
          mei:
            role: trusted
            accounts: { telegram: "2" }
          bob:
            role: guest
            accounts: { telegram: "3" }
        """;

    private readonly ServiceProvider _provider;

    public TestData(Action<SqliteSessionOptions>? configure = null, bool withPolicy = true, bool refuseEverything = false, string identities = Identities)
    {
        Root = Path.Combine(Path.GetTempPath(), "hermes-sessions-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, "identities.yaml"), identities);
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = Root).AddSqliteSessions(configure);
        if (withPolicy)
        {
            services.AddSingleton<IPolicyBackend>(Policy);
        }

        if (refuseEverything)
        {
            services.AddSingleton<IPolicyBackend>(new RoleGrantsBackend(new Dictionary<string, string[]>()));
        }

        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public string Root { get; }

    public RoleGrantsBackend Policy { get; } = RoleGrantsBackend.CreateDefault();

    public IServiceProvider Services => _provider;

    public SessionDatabasePool Pool => _provider.GetRequiredService<SessionDatabasePool>();

    // Export and erase, as registered for the core's ISessionFiles.
    public SessionDatabaseFiles Files => new(Pool);

    public string DatabaseOf(string profileKey) => ProfilePaths.For(Root, profileKey).SessionDatabase;

    // Begins a turn for telegram user userId (1 louis/owner, 2 mei/trusted, 3 bob/guest, anything else a guest).
    // Synchronous on purpose: the current turn is an AsyncLocal, which an async helper could not hand back.
    public TurnScope BeginTurn(string userId, string? chatId = null, ChatKind kind = ChatKind.Direct)
    {
        var pending = _provider.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", userId, chatId, kind));
        var resolution = pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        return _provider.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
    }

    // Shuts the "host" down (closes the pool's connections) and keeps the files, to look at them afterwards.
    public ValueTask StopHostAsync() => _provider.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        DeleteRoot(Root);
    }

    public static void DeleteRoot(string root)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }

                return;
            }
            catch (IOException) when (attempt < 5)
            {
                Thread.Sleep(50);
            }
        }
    }
}
