using System.Security.Claims;
using System.Threading.Channels;
using ModelContextProtocol.Protocol;

namespace Hermes.Identity.Mcp.Tests;

/// <summary>
/// What an authenticating HTTP front end does for the MCP server (ModelContextProtocol.AspNetCore puts the request's
/// authenticated user on every message it receives): every message read from the inner transport carries
/// <see cref="User"/> as its <see cref="JsonRpcMessageContext.User"/>.
/// </summary>
internal sealed class AuthenticatedTransport(ITransport inner, ClaimsPrincipal user) : ITransport
{
    /// <summary>The token issuer the tests map to the platform <c>corp</c>.</summary>
    public const string Issuer = "https://login.example.test/";

    public ClaimsPrincipal User { get; } = user;

    /// <summary>An authenticated user whose token carries <paramref name="subject"/> as its <c>sub</c>, from <paramref name="issuer"/>.</summary>
    public static ClaimsPrincipal Token(string subject, string issuer = Issuer) =>
        new(new ClaimsIdentity([new Claim("sub", subject, null, issuer)], "Bearer"));

    public string? SessionId => inner.SessionId;

    public ChannelReader<JsonRpcMessage> MessageReader { get; } = new Reader(inner.MessageReader, user);

    public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) => inner.SendMessageAsync(message, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private sealed class Reader(ChannelReader<JsonRpcMessage> inner, ClaimsPrincipal user) : ChannelReader<JsonRpcMessage>
    {
        public override Task Completion => inner.Completion;

        public override bool TryRead(out JsonRpcMessage item)
        {
            if (!inner.TryRead(out item!))
            {
                return false;
            }

            (item.Context ??= new JsonRpcMessageContext()).User = user;
            return true;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
    }
}
