using System.Security.Cryptography;
using Hermes.Identity.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity;

internal sealed class TurnScopeFactory : ITurnScopeFactory
{
    private readonly IServiceScopeFactory _scopes;
    private readonly HermesMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public TurnScopeFactory(IServiceScopeFactory scopes, HermesMetrics metrics, TimeProvider time, ILoggerFactory? loggerFactory = null)
    {
        _scopes = scopes;
        _metrics = metrics;
        _time = time;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Turns");
    }

    public TurnScope BeginTurn(IdentityResolution resolution)
    {
        if (!resolution.IsAdmitted)
        {
            throw new SenderRejectedException(resolution);
        }

        var profile = resolution.Profile!;
        var context = new TurnContext(
            profile,
            resolution.Sender!,
            resolution.Revision ?? "unknown",
            Guid.CreateVersion7().ToString("N"),
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            _time.GetUtcNow());

        var box = CurrentTurnAccessor.Enter(context);
        AsyncServiceScope scope;
        try
        {
            scope = _scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TurnScopeState>().Context = context;
            box.Services = scope.ServiceProvider;
        }
        catch
        {
            CurrentTurnAccessor.Exit(box);
            throw;
        }

        _metrics.Turns.Add(1, new KeyValuePair<string, object?>("role", profile.Role));
        _metrics.ActiveTurns.Add(1);
        Log.TurnBegan(_logger, context.TurnId, profile.Key, profile.Role, context.Sender.Principal);
        return new TurnScope(context, scope, _ =>
        {
            CurrentTurnAccessor.Exit(box);
            _metrics.ActiveTurns.Add(-1);
            Log.TurnEnded(_logger, context.TurnId);
        });
    }
}
