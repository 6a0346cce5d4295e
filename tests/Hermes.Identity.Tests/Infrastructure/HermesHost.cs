using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Infrastructure;

/// <summary>A real service provider with AddHermesIsolation over a real identities.yaml in a temp folder.</summary>
public sealed class HermesHost : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();

    public HermesHost(string yaml = Identities.Story, Action<IServiceCollection>? configure = null)
    {
        _dir.Write("identities.yaml", yaml);
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _dir.Path);
        configure?.Invoke(services);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public ServiceProvider Services { get; }

    public string Root => _dir.Path;

    public IIdentityResolver Resolver => Services.GetRequiredService<IIdentityResolver>();

    public ITurnScopeFactory Turns => Services.GetRequiredService<ITurnScopeFactory>();

    public ICurrentProfile Current => Services.GetRequiredService<ICurrentProfile>();

    // Not async on purpose: a turn begun inside an async helper would not be current in its caller.
    public TurnScope Begin(string platform, string userId, string? displayName = null, string? chatId = null, ChatKind kind = ChatKind.Direct)
    {
        var resolution = Resolver.ResolveAsync(new SenderEnvelope(platform, userId, chatId, kind, displayName)).AsTask().GetAwaiter().GetResult();
        return Turns.BeginTurn(resolution);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        _dir.Dispose();
    }
}
