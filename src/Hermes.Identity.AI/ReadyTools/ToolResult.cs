using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Identity.AI.ReadyTools;

// The results the ready-made tools return, as Hermes Agent's tools do: a JSON object with "success", and on failure an
// "error" that tells the model what happened and what to do. Text is kept as written (no \u escapes for non-ASCII).
internal static class ToolResult
{
    private static readonly JsonSerializerOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject Success() => new() { ["success"] = true };

    public static string Error(string message) => new JsonObject { ["success"] = false, ["error"] = message }.ToJsonString(s_options);

    public static string Text(this JsonObject result) => result.ToJsonString(s_options);
}
