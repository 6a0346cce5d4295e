using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.Tools;

// SHA-256 (hex) of a tool call's arguments as JSON: approvals bind to it, and the raw arguments are never logged.
internal static class ArgumentsDigest
{
    public static string Compute(IDictionary<string, object?>? arguments)
    {
        var typeInfo = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>));
        var json = arguments is null ? "{}"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(arguments, typeInfo);
        return Convert.ToHexStringLower(SHA256.HashData(json));
    }
}
