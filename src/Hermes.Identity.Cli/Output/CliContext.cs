using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Identity.Cli.Output;

/// <summary>What every command gets: the data root, the output mode, the operator and the console.</summary>
internal sealed class CliContext
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public CliContext(string root, bool json, string? operatorKey, TextWriter output, TextWriter error, TextReader input)
    {
        Root = Path.GetFullPath(root);
        Json = json;
        OperatorKey = operatorKey;
        Out = output;
        Error = error;
        In = input;
    }

    /// <summary>The data root, a full path.</summary>
    public string Root { get; }

    /// <summary>Whether to print one JSON document instead of text.</summary>
    public bool Json { get; }

    /// <summary>The profile operator commands act as (<c>--as</c>), or <see langword="null"/> for the one owner.</summary>
    public string? OperatorKey { get; }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public TextReader In { get; }

    public void Line(string text = "") => Out.WriteLine(text);

    public void WriteJson(JsonNode node) => Out.WriteLine(node.ToJsonString(Indented));

    /// <summary>A progress line on standard error (never in the JSON on standard output).</summary>
    public void Progress(string text)
    {
        if (!Json)
        {
            Error.WriteLine(text);
        }
    }
}
