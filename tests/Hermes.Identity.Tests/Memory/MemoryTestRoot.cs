using Hermes.Identity.Memory;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Memory;

// A data root in a temp folder with four people, and a service provider built the way a host builds it, deciding
// with the built-in roles and the roles below.
internal sealed class MemoryTestRoot : IAsyncDisposable
{
    public const string Louis = Identities.Louis;   // owner
    public const string Mei = Identities.Mei;       // trusted
    public const string Ada = "333";     // reader: trusted + memory.shared.read
    public const string Zed = "444";     // mute: no memory actions at all

    public const string MemoryWriterAssembly = "Hermes.Identity.MemoryWriter";

    public static readonly string IdentitiesYaml = Identities.Household(
        Identities.Person("ada", "reader", Ada),
        Identities.Person("zed", "mute", Zed),
        """
        roles:
          reader:
            inherits: trusted
            allow: [memory.shared.read]
          mute:
            inherits: guest
            deny: [memory.*]
        """);

    private readonly HermesHost _host;

    private MemoryTestRoot(HermesHost host) => _host = host;

    public string Root => _host.Root;

    public ServiceProvider Services => _host.Services;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="backend">A backend asked after the built-in roles, as a host may plug one in.</param>
    /// <param name="root">A folder from <see cref="NewRootFolder"/>; a fresh one when null. Deleted on dispose.</param>
    public static MemoryTestRoot Create(Action<MemoryOptions>? configure = null, IPolicyBackend? backend = null, string? root = null, Action<IServiceCollection>? services = null) =>
        new(new HermesHost(
            root is null ? IdentitiesYaml : null,
            configure: collection =>
            {
                if (backend is not null)
                {
                    collection.AddSingleton(backend);
                }

                services?.Invoke(collection);
            },
            isolation: builder =>
            {
                if (configure is not null)
                {
                    builder.ConfigureMemory(configure);
                }
            },
            folder: root is null ? new TempDirectory("memory") : TempDirectory.Adopt(root)));

    // A fresh data root holding identities.yaml, for tests that start child processes on it before (or without) a host.
    /// <param name="parent">Where to make the folder; the system temp folder by default.</param>
    public static string NewRootFolder(string? parent = null)
    {
        if (parent is not null)
        {
            var root = Path.Combine(parent, "hermes-memory-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(root);
            File.WriteAllText(Path.Combine(root, "identities.yaml"), IdentitiesYaml);
            return root;
        }

        var folder = new TempDirectory("memory");
        folder.Write("identities.yaml", IdentitiesYaml);
        return folder.Path;
    }

    // Runs work in a turn for telegram:<userId>, with the memory store bound to that turn.
    public Task<T> AsAsync<T>(string userId, Func<IMemoryStore, ValueTask<T>> work) =>
        _host.InTurnAsync(new SenderEnvelope("telegram", userId), turn => work(turn.Services.GetRequiredService<IMemoryStore>()), Ct);

    public Task<MemoryEditResult> AddAsync(string userId, MemoryFile file, string entry) => AsAsync(userId, m => m.AddAsync(file, entry, Ct));

    public Task<MemorySnapshot> ReadAsync(string userId) => AsAsync(userId, m => m.ReadAsync(Ct));

    public string NotesPath(string key) => Path.Combine(Root, "memories", key, "MEMORY.md");

    public string UserPath(string key) => Path.Combine(Root, "memories", key, "USER.md");

    public string SharedPath => Path.Combine(Root, "memories", "_shared", "MEMORY.md");

    public static byte[] Bytes(string path) => File.Exists(path) ? File.ReadAllBytes(path) : [];

    public static string Text(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    public static void DeleteFolder(string root) => Folders.DeleteWithRetry(root);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
