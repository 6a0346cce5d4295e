using System.Collections.Concurrent;
using Hermes.Identity.State;

namespace Hermes.Identity.Budgets;

// Every counter of one person in this process, loaded from the state store on first use and kept across reloads of the
// configuration (a reload changes limits, not counts). A counter is made when a budget first needs it, starting from
// what the store held at load.
internal sealed class ProfileCounters
{
    private readonly ConcurrentDictionary<string, WindowCounter> _counters = new(StringComparer.Ordinal);
    private readonly Lock _loadLock = new();
    private Task? _load;
    private Dictionary<string, (long Window, long Count)> _loaded = [];
    private bool _isLoaded;

    public ProfileCounters(string profileKey) => ProfileKey = profileKey;

    public string ProfileKey { get; }

    // Written once the record is read; read without the load lock, so volatile: a reader that sees it true sees the counts.
    public bool IsLoaded
    {
        get => Volatile.Read(ref _isLoaded);
        private set => Volatile.Write(ref _isLoaded, value);
    }

    /// <summary>The version of the stored record when this process last saw it; -1 when unknown (after its own write).</summary>
    public long Version { get; set; } = -1;

    public ICollection<WindowCounter> Counters => _counters.Values;

    public Task LoadAsync(IIdentityStateStore store)
    {
        lock (_loadLock)
        {
            if (_load is null || _load.IsFaulted || _load.IsCanceled)
            {
                _load = LoadCoreAsync(store);
            }

            return _load;
        }
    }

    public WindowCounter Counter(string counter, BudgetWindow window)
    {
        var name = new BudgetKey(counter, window).StoredName;
        return _counters.GetOrAdd(name, static (n, state) =>
        {
            var (self, w) = state;
            var (storedWindow, count) = self._loaded.TryGetValue(n, out var stored) ? stored : (0L, 0L);
            return new WindowCounter(n, w, storedWindow, count);
        }, (this, window));
    }

    private async Task LoadCoreAsync(IIdentityStateStore store)
    {
        var record = await store.GetAsync(BudgetRecord.Kind, ProfileKey).ConfigureAwait(false);
        _loaded = BudgetRecord.Parse(record?.Data);
        Version = record?.Version ?? 0;
        IsLoaded = true;
    }
}
