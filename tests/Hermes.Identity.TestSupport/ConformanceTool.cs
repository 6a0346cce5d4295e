namespace Hermes.Identity.TestSupport;

/// <summary>
/// A tool of the adapter conformance suite, neutral of any stack: each adapter wraps it in its own kind of function
/// (an AIFunction, a KernelFunction, an MCP tool) with this name, description and one string parameter, and
/// <see cref="RunAsync"/> as its body. Every run is counted, so the suite can prove a refused call ran zero times.
/// </summary>
public sealed class ConformanceTool
{
    private readonly Func<IServiceProvider?, string?, ValueTask<string>> _body;
    private int _runs;

    internal ConformanceTool(string name, string description, Func<IServiceProvider?, string?, ValueTask<string>> body)
    {
        Name = name;
        Description = description;
        _body = body;
    }

    /// <summary>The tool's name, as listed under <c>tools:</c> in <see cref="AdapterConformance.Yaml"/>.</summary>
    public string Name { get; }

    /// <summary>What the tool does, for the model.</summary>
    public string Description { get; }

    /// <summary>The name of its one string parameter.</summary>
    public string ParameterName => "text";

    /// <summary>How many times its body ran.</summary>
    public int Runs => Volatile.Read(ref _runs);

    /// <summary>
    /// The body: the adapter calls it with the services the tool was given (the turn's scope, for a gated call) and the
    /// value of <see cref="ParameterName"/>. Returns the tool's result text.
    /// </summary>
    public ValueTask<string> RunAsync(IServiceProvider? services, string? text)
    {
        Interlocked.Increment(ref _runs);
        return _body(services, text);
    }
}
