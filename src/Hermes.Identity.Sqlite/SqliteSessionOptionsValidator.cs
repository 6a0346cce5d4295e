using Microsoft.Extensions.Options;

namespace Hermes.Identity.Sqlite;

// Attribute rules ([Range]), generated at build time: no reflection, AOT-clean.
[OptionsValidator]
internal sealed partial class SqliteSessionOptionsValidator : IValidateOptions<SqliteSessionOptions>
{
}
