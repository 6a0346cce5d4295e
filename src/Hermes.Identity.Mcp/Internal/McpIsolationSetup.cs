using Hermes.Identity.Mcp.Prompts;
using Hermes.Identity.Mcp.Resources;
using Hermes.Identity.Mcp.Tools;
using Hermes.Identity.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Internal;

// Runs after every other configuration of the server's options (the SDK's own setup, which fills the tool collection,
// and the host's filters): puts the two filters first, so every filter of the host runs inside the caller's turn, and
// wraps each tool of the collection so that invoking it goes through the gate.
internal sealed class McpIsolationSetup(IServiceProvider services, IOptions<HermesMcpOptions> options) : IPostConfigureOptions<McpServerOptions>
{
    public void PostConfigure(string? name, McpServerOptions server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var settings = options.Value;
        var isolation = new McpIsolation(
            services.GetService<ToolGate>() ?? throw new InvalidOperationException(
                "UseHermesIsolation() needs Hermes.Identity's services: call services.AddHermesIsolation(...) on the same service collection as AddMcpServer()."),
            services.GetRequiredService<ITurnScopeFactory>(),
            settings.CallerMapping,
            ValidServerName(settings.ServerName),
            services.GetService<ILoggerFactory>()?.CreateLogger("Hermes.Identity.Mcp") ?? NullLogger.Instance);

        var filters = server.Filters.Request;
        filters.ListToolsFilters.Insert(0, isolation.ListToolsFilter);
        filters.CallToolFilters.Insert(0, isolation.CallToolFilter);
        filters.ListResourcesFilters.Insert(0, isolation.ListResourcesFilter);
        filters.ListResourceTemplatesFilters.Insert(0, isolation.ListResourceTemplatesFilter);
        filters.ReadResourceFilters.Insert(0, isolation.ReadResourceFilter);
        filters.ListPromptsFilters.Insert(0, isolation.ListPromptsFilter);
        filters.GetPromptFilters.Insert(0, isolation.GetPromptFilter);
        Wrap(server.ToolCollection, t => t is GatedMcpServerTool ? null : new GatedMcpServerTool(t, isolation));
        Wrap(server.ResourceCollection, r => r is GatedMcpServerResource ? null : new GatedMcpServerResource(r, isolation));
        Wrap(server.PromptCollection, p => p is GatedMcpServerPrompt ? null : new GatedMcpServerPrompt(p, isolation));
    }

    // Puts each primitive of a collection inside its gate (wrap returns null for one that is gated already).
    private static void Wrap<T>(McpServerPrimitiveCollection<T>? collection, Func<T, T?> wrap)
        where T : class, IMcpServerPrimitive
    {
        if (collection is null)
        {
            return;
        }

        using (collection.DeferChangedEvents())
        {
            foreach (var primitive in collection.ToArray())
            {
                if (wrap(primitive) is { } gated && collection.Remove(primitive))
                {
                    collection.TryAdd(gated);
                }
            }
        }
    }

    private static string? ValidServerName(string? serverName)
    {
        if (serverName is null)
        {
            return null;
        }

        if (serverName.Length is 0 or > HermesMcpOptions.MaxServerNameLength || !serverName.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new OptionsValidationException(nameof(HermesMcpOptions), typeof(HermesMcpOptions), [
                $"HermesMcpOptions.ServerName '{serverName}' is not valid: use 1 to {HermesMcpOptions.MaxServerNameLength} letters, digits, '-' or '_' (it qualifies the tools as '<server>.<tool>' in identities.yaml)."]);
        }

        return serverName;
    }
}
