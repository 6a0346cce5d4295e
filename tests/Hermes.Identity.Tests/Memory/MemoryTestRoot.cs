using Hermes.Identity.Memory;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Memory;

// A data root in a temp folder with four people, and a service provider built the way a host builds it.
internal sealed class MemoryTestRoot : IAsyncDisposable
{
    public const string Louis = "111";   // owner
    public const string Mei = "222";     // trusted
    public const string Ada = "333";     // reader: trusted + memory.shared.read
    public const string Zed = "444";     // mute: no memory actions at all

    public const string IdentitiesYaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: trusted
            accounts: { telegram: "222" }
          ada:
            role: reader
            accounts: { telegram: "333" }
          zed:
            role: mute
            accounts: { telegram: "444" }
        roles:
          reader:
            inherits: trusted
            allow: [memory.shared.read]
          mute:
            inherits: guest
        """;

    private MemoryTestRoot(string root, ServiceProvider services)
    {
        Root = root;
        Services = services;
    }

    public string Root { get; }

    public ServiceProvider Services { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static MemoryTestRoot Create(Action<MemoryOptions>? configure = null, IPolicyBackend? backend = null, string? root = null, Action<IServiceCollection>? services = null)
    {
        root ??= NewRootFolder();
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        var builder = collection.AddHermesIsolation(o => o.Root = root);
        if (configure is not null)
        {
            builder.ConfigureMemory(configure);
        }

        collection.AddSingleton(backend ?? RolePatternBackend.Default);
        return new MemoryTestRoot(root, collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
    }

    /// <param name="parent">Where to make the folder; the system temp folder by default.</param>
    public static string NewRootFolder(string? parent = null)
    {
        var root = Path.Combine(parent ?? Path.GetTempPath(), "hermes-memory-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "identities.yaml"), IdentitiesYaml);
        return root;
    }

    // Runs work in a turn for telegram:<userId>, with the memory store bound to that turn.
    public async Task<T> AsAsync<T>(string userId, Func<IMemoryStore, ValueTask<T>> work)
    {
        var resolution = await Services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", userId), Ct);
        await using var turn = Services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
        return await work(turn.Services.GetRequiredService<IMemoryStore>());
    }

    public Task<MemoryEditResult> AddAsync(string userId, MemoryFile file, string entry) => AsAsync(userId, m => m.AddAsync(file, entry, Ct));

    public Task<MemorySnapshot> ReadAsync(string userId) => AsAsync(userId, m => m.ReadAsync(Ct));

    public string NotesPath(string key) => Path.Combine(Root, "memories", key, "MEMORY.md");

    public string UserPath(string key) => Path.Combine(Root, "memories", key, "USER.md");

    public string SharedPath => Path.Combine(Root, "memories", "_shared", "MEMORY.md");

    public static byte[] Bytes(string path) => File.Exists(path) ? File.ReadAllBytes(path) : [];

    public static string Text(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        DeleteFolder(Root);
    }

    public static void DeleteFolder(string root)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(root))
                {
                    Directory.Delete(root, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(50);
            }
        }
    }
}
