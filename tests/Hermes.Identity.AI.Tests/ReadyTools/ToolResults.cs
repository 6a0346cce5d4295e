using System.Text.Json;

namespace Hermes.Identity.AI.Tests.ReadyTools;

internal static class ToolResults
{
    /// <summary>Asserts the result is a success and returns it.</summary>
    public static JsonElement Ok(this JsonElement result)
    {
        Assert.True(result.GetProperty("success").GetBoolean(), result.GetRawText());
        return result;
    }

    /// <summary>Asserts the result is a failure whose error contains every one of <paramref name="parts"/>; returns the error.</summary>
    public static string Fails(this JsonElement result, params string[] parts)
    {
        Assert.False(result.GetProperty("success").GetBoolean(), result.GetRawText());
        var error = result.GetProperty("error").GetString()!;
        foreach (var part in parts)
        {
            Assert.Contains(part, error, StringComparison.Ordinal);
        }

        return error;
    }

    public static string Str(this JsonElement result, string name) => result.GetProperty(name).GetString()!;

    public static int Int(this JsonElement result, string name) => result.GetProperty(name).GetInt32();
}
