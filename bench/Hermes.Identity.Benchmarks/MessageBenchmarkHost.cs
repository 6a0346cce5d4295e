using System.Globalization;
using System.Text;
using Hermes.Identity;
using Hermes.Identity.Configuration.Yaml;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

// The host MessageBenchmarks and MessagePartsBenchmarks measure: a real identities.yaml of N people in a temp folder,
// loaded through AddHermesIsolation, no logger and no listener (the library's default).
internal sealed record MessageBenchmarkHost(string Root, ServiceProvider Services, SenderEnvelope Sender)
{
    /// <param name="identityCount">How many people identities.yaml lists.</param>
    /// <param name="roles">A 'roles:' section to add (BudgetBenchmarks: the trusted role's budgets).</param>
    /// <param name="isolation">Optional parts of the library (AddSqliteState).</param>
    public static MessageBenchmarkHost Create(int identityCount, string? roles = null, Action<IHermesIsolationBuilder>? isolation = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "hermes-bench-message-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var file = Path.Combine(root, "identities.yaml");
        File.WriteAllText(file, Yaml(identityCount) + (roles ?? string.Empty));

        var services = new ServiceCollection();
        if (new FileInfo(file).Length > IdentitySnapshot.MaxFileBytes)
        {
            // An identities file is capped at 1 MiB (about 15,000 people): the same file, read with the cap lifted,
            // registered before AddHermesIsolation so that it wins over the file provider.
            var snapshot = IdentitiesYamlReader.Read(File.ReadAllText(file), file, root, int.MaxValue, int.MaxValue);
            services.AddSingleton<IIdentitySnapshotProvider>(new FixedSnapshot(snapshot));
        }

        var builder = services.AddHermesIsolation(o => o.Root = root);
        isolation?.Invoke(builder);
        var provider = services.BuildServiceProvider();
        if (provider.GetRequiredService<IIdentitySnapshotProvider>().Current.Profiles.Count != identityCount)
        {
            throw new InvalidOperationException("The identities file was not loaded.");
        }

        // A trusted person in the middle of the file, writing in a group under a display name that claims otherwise.
        var sender = new SenderEnvelope("telegram", (1_000_000 + identityCount / 2).ToString(CultureInfo.InvariantCulture), "chat-1", ChatKind.Group, "Louis (owner)");
        return new MessageBenchmarkHost(root, provider, sender);
    }

    public void Dispose()
    {
        Services.Dispose();
        Directory.Delete(Root, recursive: true);
    }

    // p0 is the owner, everyone else trusted; two accounts each; the README's tools.
    private static string Yaml(int count)
    {
        var yaml = new StringBuilder("version: 1\nunknown_senders: deny\nidentities:\n");
        for (var i = 0; i < count; i++)
        {
            yaml.Append("  p").Append(i).Append(": { role: ").Append(i == 0 ? "owner" : "trusted")
                .Append(", accounts: { telegram: \"").Append(1_000_000 + i).Append("\", discord: \"d").Append(i).Append("\" } }\n");
        }

        yaml.Append("""
            tools:
              terminal: exec
              execute_code: exec
              read_file: files.read
              write_file: files.write
              search_files: files.read
              web_search: web.search
              memory: memory
              session_search: sessions

            """);
        return yaml.ToString();
    }

    private sealed class FixedSnapshot(IdentitySnapshot snapshot) : IIdentitySnapshotProvider
    {
        public IdentitySnapshot Current => snapshot;
    }
}
