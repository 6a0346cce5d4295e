using Microsoft.Extensions.Options;

namespace Hermes.Identity;

// Attribute rules ([Required], [Range]), generated at build time: no reflection, AOT-clean.
[OptionsValidator]
internal sealed partial class HermesIsolationOptionsValidator : IValidateOptions<HermesIsolationOptions>
{
}
