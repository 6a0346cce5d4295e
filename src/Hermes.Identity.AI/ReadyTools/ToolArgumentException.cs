namespace Hermes.Identity.AI.ReadyTools;

// An argument the model sent that a ready-made tool cannot use; its message goes back to the model as the result.
internal sealed class ToolArgumentException(string message) : Exception(message);
