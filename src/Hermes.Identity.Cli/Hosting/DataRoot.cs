using Hermes.Identity.Cli.Output;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Cli.Hosting;

/// <summary>
/// The library as a host would configure it over the data root (identities.yaml, SQLite sessions and state), built
/// through its public registration only: the tool sees exactly what the host sees.
/// </summary>
internal sealed class DataRoot : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private DataRoot(string root, ServiceProvider services)
    {
        Root = root;
        _services = services;
    }

    public string Root { get; }

    public IServiceProvider Services => _services;

    public IdentitySnapshot Snapshot => _services.GetRequiredService<IIdentitySnapshotProvider>().Current;

    /// <summary>Opens the data root; <paramref name="time"/> replaces the clock (the migration writes sessions at their own times).</summary>
    public static async Task<DataRoot> OpenAsync(string root, TimeProvider? time = null)
    {
        if (!Directory.Exists(root))
        {
            throw new CliException(ExitCodes.Configuration, $"The data root {root} does not exist. Run the command from the data root or pass --root DIR.");
        }

        var file = Path.Combine(root, "identities.yaml");
        if (!File.Exists(file))
        {
            throw new CliException(ExitCodes.Configuration, $"{file} does not exist: this is not a data root. Run the command from the data root or pass --root DIR.");
        }

        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddHermesIsolation(o => o.Root = root)
            .AddSqliteSessions()
            .AddSqliteState();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        try
        {
            // What a host's StartAsync does: every option and identities.yaml checked now, with their messages.
            if (provider.GetService<IAsyncStartupValidator>() is { } validator)
            {
                await validator.ValidateAsync().ConfigureAwait(false);
            }

            _ = provider.GetRequiredService<IIdentitySnapshotProvider>().Current;
        }
        catch (OptionsValidationException ex)
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw new CliException(ExitCodes.Configuration, "The data root cannot be used: " + string.Join(Environment.NewLine, ex.Failures) + Environment.NewLine + "Run 'hermes-identity validate' for every error with its line and column.");
        }
        catch (IdentityConfigException ex)
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw new CliException(ExitCodes.Configuration, ex.Message + Environment.NewLine + "Run 'hermes-identity validate' for every error with its line and column.");
        }

        return new DataRoot(Path.GetFullPath(root), provider);
    }

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>The profile with key <paramref name="key"/>, or exit code 3 naming the keys there are.</summary>
    public AgentProfile RequireProfile(string key)
    {
        if (Snapshot.Profiles.TryGetValue(key, out var profile))
        {
            return profile;
        }

        var known = string.Join(", ", Snapshot.Profiles.Keys.Order(StringComparer.Ordinal).Take(20));
        throw new CliException(ExitCodes.NotFound, $"There is no profile '{key}' in identities.yaml. Profiles: {known}.");
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
