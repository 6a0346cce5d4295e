using Hermes.Identity.Mcp.Callers;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp;

/// <summary>
/// How <c>UseHermesIsolation</c> tells who is calling an MCP server, and under which name its tools are decided.
/// </summary>
/// <remarks>
/// A request's caller is, in this order: the caller a <see cref="CallerTransport"/> stamped on the connection; else
/// what <see cref="CallerMapping"/> returns; else nobody. Nobody sees no tools and runs none. Set one of
/// <see cref="MapCallersFromClaims"/> (HTTP with authentication), <see cref="MapEveryCallerTo"/> (stdio: the one person
/// who launched the server) or <see cref="CallerMapping"/> (your own rule); with none of them, only connections wrapped
/// in a <see cref="CallerTransport"/> have a caller.
/// </remarks>
public sealed class HermesMcpOptions
{
    /// <summary>The longest <see cref="ServerName"/>, in characters.</summary>
    internal const int MaxServerNameLength = 64;

    /// <summary>
    /// The server's name as identities.yaml qualifies its tools, or null (the default) to decide each tool by its bare
    /// name. With <c>"files"</c>, the tool <c>read</c> is decided as <c>files.read</c> (which a <c>tools:</c> entry
    /// <c>files.read</c>, <c>files_read</c> or <c>files-read</c> names), so two servers' tools of the same name never share
    /// a category by accident. The wire name the client sees and calls stays <c>read</c>. 1 to 64 characters of letters,
    /// digits, <c>-</c> and <c>_</c>; anything else fails when the server's options are built.
    /// </summary>
    public string? ServerName { get; set; }

    /// <summary>
    /// Maps one request to the person making it: return the platform-verified <see cref="SenderEnvelope"/>, or null for
    /// nobody. Called once per <c>tools/list</c> and <c>tools/call</c> request, on the request's flow; it must be fast and
    /// must never trust what the client says about itself (its client info, arguments or <c>_meta</c>): use what the
    /// transport verified, such as <see cref="MessageContext.User"/> after authentication. A mapping that throws maps to
    /// nobody (logged as event 902).
    /// </summary>
    public Func<MessageContext, SenderEnvelope?>? CallerMapping { get; set; }

    /// <summary>
    /// Maps each request by the claims of its authenticated user (<see cref="MessageContext.User"/>, which the
    /// HTTP transport fills from the ASP.NET Core authentication of the request), with the rules of
    /// <see cref="ClaimsSenderMapping"/>: the <c>sub</c> claim's issuer, mapped through
    /// <see cref="ClaimsSenderMapping.MapIssuer"/>, is the platform, and <c>sub</c> is the user id.
    /// </summary>
    /// <param name="configure">Names the trusted issuers.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is null.</exception>
    public HermesMcpOptions MapCallersFromClaims(Action<ClaimsSenderMapping> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var mapping = new ClaimsSenderMapping();
        configure(mapping);
        CallerMapping = request => mapping.Map(request.User);
        return this;
    }

    /// <summary>
    /// Every request comes from <paramref name="sender"/>: for a server on stdio, which serves the one person whose client
    /// launched it (the host knows who that is, as it knows which account it runs under). Never use it for a server
    /// more than one person can reach.
    /// </summary>
    /// <param name="sender">The one caller.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sender"/> is null.</exception>
    public HermesMcpOptions MapEveryCallerTo(SenderEnvelope sender)
    {
        ArgumentNullException.ThrowIfNull(sender);
        CallerMapping = _ => sender;
        return this;
    }
}
