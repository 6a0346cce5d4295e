using System.Text.Json.Serialization;

namespace Hermes.Identity.Pairing;

// The state records' JSON, generated at build time (AOT-clean).
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PlatformState))]
[JsonSerializable(typeof(PairedPeople))]
[JsonSerializable(typeof(LinkCodeState))]
internal sealed partial class PairingJson : JsonSerializerContext
{
}
