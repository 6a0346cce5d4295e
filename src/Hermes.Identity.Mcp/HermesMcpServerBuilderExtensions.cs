using Hermes.Identity.Mcp;
using Hermes.Identity.Mcp.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Hermes.Identity to an MCP server (ModelContextProtocol).</summary>
public static class HermesMcpServerBuilderExtensions
{
    /// <summary>
    /// Isolates each caller of the MCP server. Every <c>tools/list</c> and <c>tools/call</c> request is mapped to the
    /// person making it (<see cref="HermesMcpOptions"/>) and handled inside a turn of theirs: the list holds only the
    /// tools the policy does not hide from them, and a call runs only when the policy allows it, with the turn's services
    /// (their own <c>IMemoryStore</c>, <c>IWorkspace</c>, <c>ISessionStore</c>) as the request's services. A refused call
    /// gets a result with <c>isError</c> set and text that says why; the tool does not run. A caller that maps to nobody,
    /// or whom identities.yaml does not admit, sees no tools and runs none.
    /// </summary>
    /// <remarks>
    /// <code>
    /// services.AddHermesIsolation(o => o.Root = "/var/lib/mybot").AddSqliteState();
    /// services.AddMcpServer()
    ///     .WithHttpTransport()
    ///     .WithTools&lt;NotesTools&gt;()
    ///     .UseHermesIsolation(o => o.MapCallersFromClaims(c => c.MapIssuer("https://login.example.com/", "corp")));
    /// </code>
    /// Its filters are put first (before filters added with <c>WithRequestFilters</c>, whenever those were added), so
    /// the host's own filters run inside the turn; the server's tools are wrapped, so a filter or handler that invokes one
    /// directly still goes through the policy. Needs <c>services.AddHermesIsolation()</c>: building the server's options
    /// without it throws <see cref="InvalidOperationException"/>.
    /// </remarks>
    /// <param name="builder">The MCP server builder.</param>
    /// <param name="configure">Who the callers are, and the server's name for qualified tools.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IMcpServerBuilder UseHermesIsolation(this IMcpServerBuilder builder, Action<HermesMcpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<HermesMcpOptions>();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<McpServerOptions>, McpIsolationSetup>());
        return builder;
    }
}
