namespace Hermes.Identity.TestSupport;

/// <summary>
/// One agent stack wired with its Hermes.Identity adapter, as the adapter conformance suite drives it. The
/// implementation lives in the adapter's test project; it must use the real stack (its real function loop, filters or
/// server pipeline) with a scripted model or a real in-process client, never a stand-in for the adapter.
/// </summary>
public interface IConformanceStack : IAsyncDisposable
{
    /// <summary>
    /// The tool names the stack offers <paramref name="sender"/> in a request of its own turn (for an MCP server: the
    /// list-tools result for that caller), in any order, spelled as <c>tools:</c> lists them.
    /// </summary>
    Task<IReadOnlyList<string>> OfferedToolsAsync(SenderEnvelope sender);

    /// <summary>
    /// Has a call to <paramref name="toolName"/> made for <paramref name="sender"/> (in a turn of theirs; for an MCP
    /// server, as that caller) through <paramref name="route"/>, and returns the text the model or client got back as
    /// the call's result. <paramref name="sender"/> null: no turn at all (for an MCP server: a caller that maps to nobody).
    /// </summary>
    Task<string> CallAsync(SenderEnvelope? sender, string toolName, string callId, string text, ConformanceCallRoute route);
}
