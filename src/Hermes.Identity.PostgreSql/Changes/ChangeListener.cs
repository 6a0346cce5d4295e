using Hermes.Identity.PostgreSql.Database;
using Hermes.Identity.PostgreSql.Internal;
using Microsoft.Extensions.Primitives;
using System.Threading.Channels;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Changes;

// One per service provider (replica): one connection that LISTENs on the schema's channel, started by the first store
// that asks for a change token. A notification fires the matching token (the directory's or the state store's). Every
// firing, for a notification or for a write of this process, goes through one queue and is done by one loop, one after
// the other: a token is never fired while a subscriber is still handling the one before (ChangeToken.OnChange takes its
// next token only after its callback returns, so a firing in that gap would be lost), and a write of this process
// awaits its firing, so the core has read the change (on the directory's synchronous callback) when the write returns. When the connection is lost (server restart, pg_terminate_backend, network) the loop connects again
// with doubling waits (PostgreSqlOptions.RetryDelay up to MaxRetryDelay) and, once listening again, fires both tokens:
// notifications sent meanwhile were missed, so the core catches up by reading what changed since the version it holds.
// The core's polling (every refresh interval) stays as the bound when no connection can be had at all.
internal sealed class ChangeListener : IDisposable, IAsyncDisposable
{
    // How long the listening connection may stay silent before it is checked with a query (a dead peer that sent nothing).
    internal static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(30);

    private readonly PostgreSqlDatabase _database;
    private readonly string _channel;
    private readonly string _connectionString;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _start = new();
    private readonly Channel<Signal> _signals = Channel.CreateUnbounded<Signal>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _loop;
    private Task? _pump;
    private CancellationTokenSource _directoryChanged = new();
    private CancellationTokenSource _stateChanged = new();
    private bool _disposed;

    public ChangeListener(PostgreSqlDatabase database)
    {
        _database = database;
        _channel = ChangeChannel.Name(database.Schema);
        _connectionString = new NpgsqlConnectionStringBuilder(database.Options.ConnectionString)
        {
            // Not pooled: the connection lives as long as the listener. Named, so an operator sees it in pg_stat_activity.
            Pooling = false,
            ApplicationName = ApplicationName(database.Schema),
        }.ToString();
    }

    // The application_name of the listening connection: "hermes-listen <schema> <process id>", cut at 63 characters.
    internal static string ApplicationName(string schema)
    {
        var name = $"hermes-listen {schema} {Environment.ProcessId}";
        return name.Length <= 63 ? name : name[..63];
    }

    // How many times the loop has been listening (1 after the first connection, 2 after the first reconnection, ...).
    public int Connections { get; private set; }

    public IChangeToken DirectoryToken()
    {
        EnsureStarted();
        return new CancellationChangeToken(Volatile.Read(ref _directoryChanged).Token);
    }

    public IChangeToken StateToken()
    {
        EnsureStarted();
        return new CancellationChangeToken(Volatile.Read(ref _stateChanged).Token);
    }

    // A directory write of this process committed: fires the directory's token and completes once its subscribers have
    // run, so the change is in force when the write returns, without waiting for its NOTIFY.
    public Task DirectoryChangedAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new Signal(Directory: true, State: false, done));
        return done.Task;
    }

    public void Dispose()
    {
        lock (_start)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stop.Cancel();
        _signals.Writer.TryComplete();
        try
        {
            Task.WaitAll([_loop ?? Task.CompletedTask, _pump ?? Task.CompletedTask], TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // the loop ends by cancellation
        }

        _stop.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null)
        {
            return;
        }

        lock (_start)
        {
            if (_loop is null && !_disposed)
            {
                _pump ??= Task.Run(() => PumpAsync(_stop.Token));
                _loop = Task.Run(() => RunAsync(_stop.Token));
            }
        }
    }

    private void Post(Signal signal)
    {
        lock (_start)
        {
            if (!_disposed)
            {
                _pump ??= Task.Run(() => PumpAsync(_stop.Token));
            }
        }

        if (!_signals.Writer.TryWrite(signal))
        {
            signal.Done?.TrySetResult(); // disposed: nobody follows the changes any more
        }
    }

    // Fires the tokens, one signal after the other; signals waiting together are fired once.
    private async Task PumpAsync(CancellationToken stop)
    {
        var reader = _signals.Reader;
        var done = new List<TaskCompletionSource>();
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                var directory = false;
                var state = false;
                while (reader.TryRead(out var signal))
                {
                    directory |= signal.Directory;
                    state |= signal.State;
                    if (signal.Done is not null)
                    {
                        done.Add(signal.Done);
                    }
                }

                if (directory)
                {
                    Fire(ref _directoryChanged);
                }

                if (state)
                {
                    Fire(ref _stateChanged);
                }

                foreach (var waiter in done)
                {
                    waiter.TrySetResult();
                }

                done.Clear();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // disposed
        }
        finally
        {
            foreach (var waiter in done)
            {
                waiter.TrySetResult();
            }

            while (reader.TryRead(out var signal))
            {
                signal.Done?.TrySetResult();
            }
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var delay = _database.Options.RetryDelay;
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var connection = new NpgsqlConnection(_connectionString);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += OnNotification;
                    await connection.OpenAsync(stop).ConfigureAwait(false);
                    using (var listen = new NpgsqlCommand($"LISTEN \"{_channel}\"", connection))
                    {
                        await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                    }

                    Connections++;
                    if (Connections == 1)
                    {
                        Log.Listening(_database.Logger, _database.Target, _channel);
                    }
                    else
                    {
                        Log.ListeningAgain(_database.Logger, _database.Target, _channel, failures);
                    }

                    failures = 0;
                    delay = _database.Options.RetryDelay;

                    // Whatever was notified while nobody listened (before the first connection, or while reconnecting)
                    // was missed: the core reads what changed since the version it holds.
                    Post(new Signal(Directory: true, State: true, null));
                    while (true)
                    {
                        if (!await connection.WaitAsync(KeepAlive, stop).ConfigureAwait(false))
                        {
                            using var ping = new NpgsqlCommand("SELECT 1", connection);
                            await ping.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // whatever broke the connection, the loop connects again; the polling bounds the wait meanwhile
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures++;
                Log.ListenerLost(_database.Logger, _database.Target, _channel, delay, ex.Message);
                try
                {
                    await Task.Delay(delay, _database.Time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _database.Options.MaxRetryDelay.Ticks));
            }
        }
    }

    // Inside Npgsql's WaitAsync: only queues the firing (the tokens' subscribers may query, on the pump).
    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        var payload = e.Payload;
        Post(new Signal(
            Directory: payload.Length == 0 || payload[0] == ChangeChannel.Directory,
            State: payload.Length == 0 || payload[0] == ChangeChannel.State,
            null));
    }

    private void Fire(ref CancellationTokenSource signal)
    {
        var fired = Interlocked.Exchange(ref signal, new CancellationTokenSource());
        try
        {
            fired.Cancel();
        }
        catch (AggregateException ex)
        {
            Log.ChangeCallbackFailed(_database.Logger, ex);
        }
        finally
        {
            fired.Dispose();
        }
    }

    private readonly record struct Signal(bool Directory, bool State, TaskCompletionSource? Done);
}
