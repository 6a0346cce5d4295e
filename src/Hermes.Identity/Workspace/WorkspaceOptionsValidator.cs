using Microsoft.Extensions.Options;

namespace Hermes.Identity.Workspace;

// [Range] rules, generated at build time: no reflection, AOT-clean.
[OptionsValidator]
internal sealed partial class WorkspaceOptionsValidator : IValidateOptions<WorkspaceOptions>
{
}
