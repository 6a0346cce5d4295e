namespace Hermes.Identity.TestSupport;

/// <summary>How a call reaches the stack under test in the adapter conformance suite.</summary>
public enum ConformanceCallRoute
{
    /// <summary>The model (or an MCP client) calls the tool by name through the stack's normal path, whether or not it was offered.</summary>
    Model = 0,

    /// <summary>The model calls a name no tool has: the stack must run nothing and say why.</summary>
    Invented = 1,

    /// <summary>
    /// Code inside the stack invokes the tool's function object directly (agent or function middleware, a filter, a
    /// host that calls the function it was handed): the gate must still decide.
    /// </summary>
    Middleware = 2,
}
