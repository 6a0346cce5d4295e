using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.ReadyTools;

// Reads a call's arguments as a model sends them: JSON values (numbers may come as strings, booleans as "true"),
// or CLR values when a host invokes the tool itself. A value that cannot be used is a ToolArgumentException.
internal readonly struct ToolArguments(string tool, AIFunctionArguments arguments)
{
    public bool Has(string name) => arguments.TryGetValue(name, out var value) && value is not null
        && !(value is JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined });

    public string? String(string name)
    {
        if (!arguments.TryGetValue(name, out var value))
        {
            return null;
        }

        return value switch
        {
            null => null,
            string text => text,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
            JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => null,
            JsonElement element => element.GetRawText(),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }

    public string Required(string name, string what) =>
        String(name) is { } value ? value : throw new ToolArgumentException($"{tool}: '{name}' is missing; it is required ({what}). Call {tool} again with '{name}' set.");

    public int Int(string name, int fallback, int min, int max)
    {
        if (!Has(name))
        {
            return fallback;
        }

        var text = String(name);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || double.IsNaN(number))
        {
            throw new ToolArgumentException($"{tool}: '{name}' must be a whole number from {min} to {max}; it was {Quote(text)}.");
        }

        return (int)Math.Clamp(Math.Truncate(number), min, max);
    }

    public bool Bool(string name, bool fallback)
    {
        if (!Has(name))
        {
            return fallback;
        }

        arguments.TryGetValue(name, out var value);
        return value switch
        {
            bool flag => flag,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            JsonElement { ValueKind: JsonValueKind.False } => false,
            _ => String(name)?.Trim().ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" or "" => false,
                var other => throw new ToolArgumentException($"{tool}: '{name}' must be true or false; it was {Quote(other)}."),
            },
        };
    }

    private static string Quote(string? text) => text is null ? "empty" : text.Length > 40 ? $"'{text[..40]}…'" : $"'{text}'";
}
