using System.Text.Json.Serialization;

namespace Hermes.Identity.AgentFramework.Sessions;

// What this package keeps in an AgentSession's StateBag: the owner's profile key and the bound store session.
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(SessionBinding))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
