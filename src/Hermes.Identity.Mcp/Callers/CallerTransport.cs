using System.Threading.Channels;
using ModelContextProtocol.Protocol;

namespace Hermes.Identity.Mcp.Callers;

/// <summary>
/// An MCP server transport whose every message comes from one caller the host has already identified: wrap the
/// transport of a connection you opened for one person (a pipe, a socket after your own handshake, one stdio child
/// per person) and create the server over this. The caller it names comes before <see cref="HermesMcpOptions.CallerMapping"/>.
/// </summary>
/// <example>
/// <code>
/// var transport = new CallerTransport(new StreamServerTransport(fromClient, toClient), new SenderEnvelope("local", "mei"));
/// await using var server = McpServer.Create(transport, serverOptions, loggerFactory, services);
/// await server.RunAsync(cancellationToken);
/// </code>
/// </example>
public sealed class CallerTransport : ITransport
{
    // The key under which the caller rides on each message's server-side context (JsonRpcMessageContext.Items), which
    // never comes from the wire.
    internal const string ItemKey = "Hermes.Identity.Mcp.Caller";

    private readonly ITransport _inner;

    /// <summary>Wraps <paramref name="inner"/> so that every message read from it is <paramref name="caller"/>'s.</summary>
    /// <param name="inner">The connection's transport.</param>
    /// <param name="caller">Who is at the other end, as the host verified it.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public CallerTransport(ITransport inner, SenderEnvelope caller)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(caller);
        _inner = inner;
        Caller = caller;
        MessageReader = new StampingReader(inner.MessageReader, caller);
    }

    /// <summary>The caller every message on this transport comes from.</summary>
    public SenderEnvelope Caller { get; }

    /// <inheritdoc/>
    public string? SessionId => _inner.SessionId;

    /// <inheritdoc/>
    public ChannelReader<JsonRpcMessage> MessageReader { get; }

    /// <inheritdoc/>
    public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) => _inner.SendMessageAsync(message, cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    internal static SenderEnvelope? Of(JsonRpcMessage message) =>
        message.Context?.Items is { } items && items.TryGetValue(ItemKey, out var caller) ? caller as SenderEnvelope : null;

    // Reads the inner transport's messages and writes the caller on each one's server-side context as it passes.
    private sealed class StampingReader(ChannelReader<JsonRpcMessage> inner, SenderEnvelope caller) : ChannelReader<JsonRpcMessage>
    {
        public override Task Completion => inner.Completion;

        public override bool CanCount => inner.CanCount;

        public override int Count => inner.Count;

        public override bool CanPeek => inner.CanPeek;

        public override bool TryRead(out JsonRpcMessage item)
        {
            if (!inner.TryRead(out item!))
            {
                return false;
            }

            var context = item.Context ??= new JsonRpcMessageContext();
            (context.Items ??= new Dictionary<string, object?>(StringComparer.Ordinal))[ItemKey] = caller;
            return true;
        }

        public override bool TryPeek(out JsonRpcMessage item) => inner.TryPeek(out item!);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);
    }
}
