using Hermes.Identity.Pairing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.Tests.Pairing;

// A host as a pairing bot builds it: identities.yaml with unknown_senders: pair, the real SQLite state store under the
// data root, a fake clock (expiries and lock-outs without waiting), metrics and logs collected.
internal sealed class PairingHost : IAsyncDisposable
{
    // Louis (owner) and Mei (trusted) on telegram; 'deputy' is a role that allows identity.admin without being owner.
    public const string Yaml = """
        version: 1
        unknown_senders: pair
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: trusted
            accounts: { telegram: "222" }
        roles:
          deputy:
            inherits: trusted
            allow: [identity.admin]
        """;

    public static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public PairingHost(string? yaml = Yaml, TempDirectory? folder = null, FakeTimeProvider? time = null, Action<PairingOptions>? pairing = null)
    {
        Time = time ?? new FakeTimeProvider(Start);
        Host = new HermesHost(
            yaml,
            services =>
            {
                services.AddSingleton<TimeProvider>(Time);
                services.AddMetrics();
                services.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
            },
            b =>
            {
                b.AddSqliteState();
                if (pairing is not null)
                {
                    b.ConfigurePairing(pairing);
                }
            },
            folder);
        Refusals = new MetricCollector<long>(Host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Hermes.Identity", "hermes.identity.pairing.refusals");
        Requests = new MetricCollector<long>(Host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Hermes.Identity", "hermes.identity.pairing.requests");
    }

    public HermesHost Host { get; }

    public FakeTimeProvider Time { get; }

    public MetricCollector<long> Refusals { get; }

    public MetricCollector<long> Requests { get; }

    public Pairings Pairings => Host.Services.GetRequiredService<Pairings>();

    public IdentitySnapshot Snapshot => Host.Services.GetRequiredService<IIdentitySnapshotProvider>().Current;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static SenderEnvelope Telegram(string userId, ChatKind kind = ChatKind.Direct) => new("telegram", userId, "chat-" + userId, kind);

    public ValueTask<IdentityResolution> ResolveAsync(SenderEnvelope sender) => Host.Resolver.ResolveAsync(sender, Ct);

    public ValueTask<IdentityResolution> ResolveAsync(string platform, string userId, ChatKind kind = ChatKind.Direct) =>
        ResolveAsync(new SenderEnvelope(platform, userId, "chat-" + userId, kind));

    // A stranger on telegram messages the bot; returns the code they were given.
    public async Task<string> CodeForAsync(string userId, string platform = "telegram")
    {
        var resolution = await ResolveAsync(platform, userId);
        Assert.False(resolution.IsAdmitted);
        Assert.NotNull(resolution.PairingRequest);
        return resolution.PairingRequest.Code;
    }

    // Runs `work` in a turn of the telegram account `userId` (a direct chat unless said otherwise), as the host's handler of that message would.
    public Task<T> AsAsync<T>(string userId, Func<Pairings, ValueTask<T>> work, ChatKind kind = ChatKind.Direct) =>
        AsAsync(Telegram(userId, kind), work);

    public Task<T> AsAsync<T>(SenderEnvelope sender, Func<Pairings, ValueTask<T>> work) =>
        Host.InTurnAsync(sender, _ => work(Pairings), Ct);

    public Task<T> AsLouisAsync<T>(Func<Pairings, ValueTask<T>> work) => AsAsync(Identities.Louis, work);

    public long RefusalsOf(string reason) => Refusals.GetMeasurementSnapshot().Where(m => m.Tags["reason"] as string == reason).Sum(m => m.Value);

    public IReadOnlyList<FakeLogRecord> Logs => Host.Services.GetFakeLogCollector().GetSnapshot();

    // The owner edits identities.yaml (replaced by rename, as the docs ask) and it is reloaded.
    public void Reload(string yaml)
    {
        File.WriteAllText(Path.Combine(Host.Root, "identities.yaml"), yaml);
        var provider = Host.Services.GetRequiredService<Hermes.Identity.Configuration.YamlIdentitySnapshotProvider>();
        Assert.True(provider.TryReload(out var error), error?.Message);
    }

    // A restart: the process ends (its services disposed), the data root stays for the next host.
    public async ValueTask StopAsync()
    {
        Refusals.Dispose();
        Requests.Dispose();
        await Host.Services.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Refusals.Dispose();
        Requests.Dispose();
        await Host.DisposeAsync();
    }
}
