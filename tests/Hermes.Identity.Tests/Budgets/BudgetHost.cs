using Hermes.Identity.Budgets;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.Tests.Budgets;

// A real host with budgets: AddHermesIsolation over an identities.yaml, the real SQLite state store under the data root
// (AddSqliteState), and a fake clock. Several hosts may share one folder (a restart, or two processes on one store).
internal sealed class BudgetHost : IAsyncDisposable
{
    // 13:20 UTC: the hour resets at 14:00 UTC, the day at 00:00 UTC on 2026-11-30.
    public static readonly DateTimeOffset Start = new(2026, 11, 29, 13, 20, 0, TimeSpan.Zero);

    private readonly HermesHost _host;
    private readonly bool _ownsFolder;

    private BudgetHost(HermesHost host, FakeTimeProvider time, bool ownsFolder)
    {
        _host = host;
        Time = time;
        _ownsFolder = ownsFolder;
    }

    public FakeTimeProvider Time { get; }

    public HermesHost Host => _host;

    public string Root => _host.Root;

    public TempDirectory Folder => _host.Folder;

    public PolicyEngine Engine => _host.Services.GetRequiredService<PolicyEngine>();

    public BudgetLedger Ledger => _host.Services.GetRequiredService<BudgetLedger>();

    public ITurnScopeFactory Turns => _host.Turns;

    /// <summary>A host over <paramref name="yaml"/> in a fresh folder, deleted with the host.</summary>
    public static BudgetHost Create(string yaml, FakeTimeProvider? time = null) => Build(yaml, null, time ?? new FakeTimeProvider(Start), ownsFolder: true);

    /// <summary>Another host on the same data root (and store) as <paramref name="other"/>: a restart, or a second process. It leaves the folder to <paramref name="other"/>.</summary>
    public static BudgetHost OnSameRoot(BudgetHost other, FakeTimeProvider? time = null) =>
        Build(null, TempDirectory.Adopt(other.Root), time ?? other.Time, ownsFolder: false);

    public TurnScope Begin(string telegramId) => _host.Begin("telegram", telegramId);

    public static SenderEnvelope Telegram(string id) => new("telegram", id, id, ChatKind.Direct, null);

    public async Task<PolicyDecision> CallAsync(string tool) => await Engine.AuthorizeToolCallAsync(tool, "call-" + Guid.NewGuid().ToString("N")[..8], "digest");

    public async ValueTask DisposeAsync()
    {
        if (_ownsFolder)
        {
            await _host.DisposeAsync();
        }
        else
        {
            await _host.Services.DisposeAsync(); // the folder belongs to the first host
        }
    }

    private static BudgetHost Build(string? yaml, TempDirectory? folder, FakeTimeProvider time, bool ownsFolder)
    {
        var host = new HermesHost(
            yaml,
            configure: services => services.AddSingleton<TimeProvider>(time),
            isolation: isolation => isolation.AddSqliteState(),
            folder: folder);
        return new BudgetHost(host, time, ownsFolder);
    }
}
