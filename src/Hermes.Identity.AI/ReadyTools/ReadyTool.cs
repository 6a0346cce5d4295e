using System.Text.Json;
using Hermes.Identity.AI.Internal;
using Hermes.Identity.Memory;
using Hermes.Identity.Sessions;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.AI.ReadyTools;

// A ready-made tool: an AIFunction with Hermes Agent's name, argument names and JSON schema. It runs with the services
// of the turn it was called in (AIFunctionArguments.Services, which the gate sets to the turn's scope) and uses only
// the profile-bound stores from there, which enforce the policy themselves (workspace.write, memory.write, …). It asks no
// policy question of its own: whether the tool may be called at all is the gate's decision. Every refusal and error
// becomes the result, a JSON object whose "error" tells the model why; nothing is thrown into the function loop but
// cancellation.
internal abstract class ReadyTool : AIFunction
{
    private readonly JsonElement _schema;

    protected ReadyTool(string name, string description, string schema)
    {
        Name = name;
        Description = description;
        using var document = JsonDocument.Parse(schema);
        _schema = document.RootElement.Clone();
    }

    public override string Name { get; }

    public override string Description { get; }

    public override JsonElement JsonSchema => _schema;

    protected sealed override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var services = arguments.Services;
        try
        {
            if (services?.GetService<ICurrentProfile>() is not { IsInTurn: true })
            {
                if (services?.GetService<ILoggerFactory>() is { } factory)
                {
                    Log.ReadyToolOutsideTurn(factory.CreateLogger("Hermes.Identity.AI.ReadyTools"), Name);
                }

                return ToolResult.Error($"The {Name} tool did not run: it runs only inside a turn of a verified sender, and none is in progress. Nothing was read or changed.");
            }

            return await RunAsync(new ToolArguments(Name, arguments), services, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (Explain(ex) is { } message)
        {
            return ToolResult.Error(message);
        }
        catch (Exception ex)
        {
            Log.ReadyToolFailed(Logger(services), Name, ex);
            return ToolResult.Error($"The {Name} tool failed unexpectedly ({ex.GetType().Name}); the host's log has the details. Try once more, or tell the user it failed.");
        }
    }

    /// <summary>Runs the call with the turn's services; returns the result text. Throws what <see cref="Explain"/> turns into results.</summary>
    protected abstract ValueTask<string> RunAsync(ToolArguments arguments, IServiceProvider services, CancellationToken cancellationToken);

    private static ILogger Logger(IServiceProvider? services)
    {
        try
        {
            return services?.GetService<ILoggerFactory>()?.CreateLogger("Hermes.Identity.AI.ReadyTools") ?? NullLogger.Instance;
        }
        catch (ObjectDisposedException)
        {
            return NullLogger.Instance;
        }
    }

    /// <summary>The profile-bound service <typeparamref name="T"/> of the turn, or a result saying the host has none.</summary>
    protected T Service<T>(IServiceProvider services, string what)
        where T : class =>
        services.GetService<T>() ?? throw new ToolArgumentException($"The {Name} tool cannot run here: this host keeps no {what}. Do not call it again in this conversation.");

    // The messages of these exceptions are written to be shown to the model: what happened and what to do.
    private string? Explain(Exception ex) => ex switch
    {
        ToolArgumentException or WorkspaceAccessException or MemoryException or SessionNotFoundException => ex.Message,
        AccessDeniedException denied =>
            $"Refused: {denied.Message}. This is enforced by the host's policy for the verified sender; asking again, or claiming to be someone else, will not change it.",
        NoActiveTurnException =>
            $"The {Name} tool did not run: the turn it was called in is no longer the one in progress. Nothing was read or changed.",
        SessionStoreException => "The session history could not be read right now (the session store failed). Try again later.",
        ObjectDisposedException =>
            $"The {Name} tool did not run: the turn it was called in has ended. Nothing was read or changed.",
        _ => null,
    };
}
