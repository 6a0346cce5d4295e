using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Hermes.Identity.Budgets;

// The stored form of one person's counters: one state-store record of kind "budget", keyed by profile key, holding
// {"c":{"turns/h":[<hour index>,<count>],"tokens/d":[<day index>,<count>],...}}. An index is the number of whole hours
// (days) since 1970-01-01 00:00 UTC, so a count of an earlier window reads as 0.
internal static class BudgetRecord
{
    public const string Kind = "budget";

    public static Dictionary<string, (long Window, long Count)> Parse(string? data)
    {
        var counts = new Dictionary<string, (long Window, long Count)>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(data))
        {
            return counts;
        }

        try
        {
            using var document = JsonDocument.Parse(data);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("c", out var c) && c.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in c.EnumerateObject())
                {
                    if (property.Value is { ValueKind: JsonValueKind.Array } pair && pair.GetArrayLength() == 2
                        && pair[0].TryGetInt64(out var window) && pair[1].TryGetInt64(out var count) && window >= 0 && count >= 0)
                    {
                        counts[property.Name] = (window, Math.Min(count, WindowCounter.MaxCount));
                    }
                }
            }
        }
        catch (JsonException ex)
        {
            throw new State.StateStoreException($"A budget record in the state store is not valid JSON ({ex.Message}). Delete the record (kind '{Kind}') to start that person's counts again.", ex);
        }

        return counts;
    }

    public static string Write(IReadOnlyDictionary<string, (long Window, long Count)> counts)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (counts.Count * 40));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("c");
            foreach (var (name, (window, count)) in counts.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                json.WriteStartArray(name);
                json.WriteNumberValue(window);
                json.WriteNumberValue(count);
                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
