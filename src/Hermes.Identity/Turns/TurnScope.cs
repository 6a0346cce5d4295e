using Hermes.Identity.Turns;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity;

/// <summary>
/// One turn in progress: the profile is current on this async flow and <see cref="Services"/> resolves
/// profile-bound services for it. Disposing ends the turn everywhere, including in tasks it started; every
/// profile-bound service resolved in it refuses to act from then on.
/// </summary>
public sealed class TurnScope : IAsyncDisposable, IDisposable
{
    private readonly AsyncServiceScope _scope;
    private readonly AmbientTurn.Box _box;
    private readonly TurnScopeFactory _owner;
    private int _ended;

    internal TurnScope(TurnContext context, AsyncServiceScope scope, AmbientTurn.Box box, TurnScopeFactory owner)
    {
        Context = context;
        _scope = scope;
        _box = box;
        _owner = owner;
    }

    /// <summary>Who the turn is for.</summary>
    public TurnContext Context { get; }

    /// <summary>The profile the turn is for.</summary>
    public AgentProfile Profile => Context.Profile;

    /// <summary>The turn's DI scope: profile-bound services resolved here belong to <see cref="Profile"/>.</summary>
    public IServiceProvider Services => _scope.ServiceProvider;

    /// <summary>Ends the turn and disposes its scope.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        _owner.End(this, _box);
        return _scope.DisposeAsync();
    }

    /// <summary>Ends the turn and disposes its scope.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _owner.End(this, _box);
        ((IDisposable)_scope).Dispose();
    }
}
