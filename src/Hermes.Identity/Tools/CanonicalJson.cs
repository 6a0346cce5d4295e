using System.Buffers;
using System.Collections;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Identity.Tools;

// Writes a call's arguments as the canonical JSON that ToolArguments documents: members sorted by name in UTF-16
// code-unit order at every depth, no whitespace, integers as integers and other numbers in shortest round-trip form,
// minimal escaping. Deterministic for equal arguments whatever stack parsed them (JsonElement, JsonNode, CLR values).
internal static class CanonicalJson
{
    private const int MaxDepth = 64;
    private const double LargestExactInteger = 9007199254740992d; // 2^53: past it a double is not an exact integer

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        MaxDepth = MaxDepth + 1,
    };

    public static byte[] Write(IEnumerable<KeyValuePair<string, object?>>? arguments, JsonSerializerOptions? options)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteObject(writer, arguments ?? [], options, 0);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteObject(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> members, JsonSerializerOptions? options, int depth)
    {
        var sorted = members.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        writer.WriteStartObject();
        for (var i = 0; i < sorted.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(sorted[i].Key);
            if (i > 0 && string.Equals(sorted[i].Key, sorted[i - 1].Key, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The arguments name '{sorted[i].Key}' twice; a call's arguments are one JSON object with unique names.");
            }

            writer.WritePropertyName(sorted[i].Key);
            WriteValue(writer, sorted[i].Value, options, depth + 1);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, JsonSerializerOptions? options, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"The arguments nest deeper than {MaxDepth} levels.");
        }

        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case JsonElement element:
                WriteElement(writer, element, depth);
                break;
            case JsonDocument document:
                WriteElement(writer, document.RootElement, depth);
                break;
            case JsonNode node:
                using (var parsed = JsonDocument.Parse(node.ToJsonString()))
                {
                    WriteElement(writer, parsed.RootElement, depth);
                }

                break;
            case byte or sbyte or short or ushort or int or uint or long:
                writer.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ulong large:
                writer.WriteNumberValue(large);
                break;
            case float single:
                WriteNumber(writer, single);
                break;
            case double number:
                WriteNumber(writer, number);
                break;
            case decimal money:
                WriteNumber(writer, (double)money);
                break;
            case char letter:
                writer.WriteStringValue(letter.ToString());
                break;
            case IEnumerable<KeyValuePair<string, object?>> members:
                WriteObject(writer, members, options, depth);
                break;
            case IDictionary dictionary:
                WriteObject(writer, Members(dictionary), options, depth);
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item, options, depth + 1);
                }

                writer.WriteEndArray();
                break;
            default:
                if (options is null)
                {
                    throw new ArgumentException(
                        $"An argument is a {value.GetType().FullName}, which the canonical writer cannot write by itself. Pass JsonSerializerOptions that can serialise it (such as AIJsonUtilities.DefaultOptions).");
                }

                WriteElement(writer, JsonSerializer.SerializeToElement(value, options.GetTypeInfo(value.GetType())), depth);
                break;
        }
    }

    private static IEnumerable<KeyValuePair<string, object?>> Members(IDictionary dictionary)
    {
        foreach (DictionaryEntry entry in dictionary)
        {
            yield return KeyValuePair.Create(
                entry.Key as string ?? throw new ArgumentException("A dictionary among the arguments has a key that is not a string; JSON object names are strings."),
                entry.Value);
        }
    }

    private static void WriteElement(Utf8JsonWriter writer, JsonElement element, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"The arguments nest deeper than {MaxDepth} levels.");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<JsonProperty>();
                foreach (var member in element.EnumerateObject())
                {
                    members.Add(member);
                }

                members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                writer.WriteStartObject();
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0 && string.Equals(members[i].Name, members[i - 1].Name, StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"The arguments name '{members[i].Name}' twice in one object.");
                    }

                    writer.WritePropertyName(members[i].Name);
                    WriteElement(writer, members[i].Value, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteElement(writer, item, depth + 1);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                if (element.TryGetInt64(out var integer))
                {
                    writer.WriteNumberValue(integer);
                }
                else if (element.TryGetDouble(out var number) && double.IsFinite(number))
                {
                    WriteNumber(writer, number);
                }
                else
                {
                    writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                }

                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, double number)
    {
        if (!double.IsFinite(number))
        {
            throw new ArgumentException("An argument is NaN or infinite, which JSON cannot carry.");
        }

        if (Math.Abs(number) < LargestExactInteger && number == Math.Floor(number))
        {
            writer.WriteNumberValue((long)number);
        }
        else
        {
            writer.WriteNumberValue(number);
        }
    }
}
