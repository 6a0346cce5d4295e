using System.Diagnostics.CodeAnalysis;
using Hermes.Identity.Turns;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity;

/// <summary>
/// One turn in progress: the profile is current on this async flow and <see cref="Services"/> resolves
/// profile-bound services for it. Disposing ends the turn everywhere, including in tasks it started; every
/// profile-bound service resolved in it refuses to act from then on.
/// </summary>
public sealed class TurnScope : IAsyncDisposable, IDisposable, IAmbientTurn
{
    // What _scope holds once the turn has ended: no scope can be made for it any more.
    private static readonly object Ended = new();

    private readonly TurnScopeFactory _owner;

    // The turn's DI scope (an IServiceScope), made on first use; Ended once the turn has ended.
    private object? _scope;
    private int _ended;

    internal TurnScope(TurnContext context, TurnScopeFactory owner)
    {
        Context = context;
        _owner = owner;
    }

    /// <summary>Who the turn is for.</summary>
    public TurnContext Context { get; }

    /// <summary>The profile the turn is for.</summary>
    public AgentProfile Profile => Context.Profile;

    /// <summary>The turn's DI scope: profile-bound services resolved here belong to <see cref="Profile"/>.</summary>
    /// <exception cref="NoActiveTurnException">The turn has ended.</exception>
    public IServiceProvider Services => TryGetServices(out var services) ? services : throw new NoActiveTurnException($"The {Context} has ended, and its services with it.");

    // Until disposed, the turn is current on every async flow that holds it.
    internal bool IsLive => Volatile.Read(ref _ended) == 0;

    TurnContext? IAmbientTurn.LiveContext => IsLive ? Context : null;

    /// <summary>Ends the turn and disposes its scope.</summary>
    public ValueTask DisposeAsync()
    {
        if (!End(out var scope))
        {
            return ValueTask.CompletedTask;
        }

        return scope is null ? ValueTask.CompletedTask : new AsyncServiceScope(scope).DisposeAsync();
    }

    /// <summary>Ends the turn and disposes its scope.</summary>
    public void Dispose()
    {
        if (End(out var scope))
        {
            scope?.Dispose();
        }
    }

    // The scope is made the first time someone asks for it, bound to this turn (its TurnScopeState holds the
    // context), and disposed with the turn. Two threads may race to make it: one scope wins, the other is disposed.
    bool IAmbientTurn.TryGetServices([NotNullWhen(true)] out IServiceProvider? services) => TryGetServices(out services);

    internal bool TryGetServices([NotNullWhen(true)] out IServiceProvider? services)
    {
        var current = Volatile.Read(ref _scope);
        if (current is null && IsLive)
        {
            var made = _owner.CreateScope(Context);
            current = Interlocked.CompareExchange(ref _scope, made, null);
            if (current is null)
            {
                current = made;
            }
            else
            {
                made.Dispose(); // another thread made one first, or the turn ended meanwhile
            }
        }

        if (current is IServiceScope scope && IsLive)
        {
            services = scope.ServiceProvider;
            return true;
        }

        services = null;
        return false;
    }

    // Marks the turn ended (once), lets go of it on this flow, and takes the scope to dispose, if one was made.
    private bool End(out IServiceScope? scope)
    {
        scope = null;
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return false;
        }

        _owner.End(this);
        scope = Interlocked.Exchange(ref _scope, Ended) as IServiceScope;
        return true;
    }
}
