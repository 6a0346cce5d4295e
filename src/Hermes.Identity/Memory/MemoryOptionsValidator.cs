using Microsoft.Extensions.Options;

namespace Hermes.Identity.Memory;

// Attribute rules ([Range]), generated at build time: no reflection, AOT-clean.
[OptionsValidator]
internal sealed partial class MemoryOptionsValidator : IValidateOptions<MemoryOptions>
{
}
