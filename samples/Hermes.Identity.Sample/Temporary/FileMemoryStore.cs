using Hermes.Identity.Memory;
using Hermes.Identity.Policy;

namespace Hermes.Identity.Sample.Temporary;

/// <summary>
/// TEMPORARY, until the memory store lands on main: the bound profile's MEMORY.md and USER.md under
/// memories/&lt;key&gt;/. It takes no profile argument: it is bound to the turn it was resolved in.
/// Replace with the real <see cref="IMemoryStore"/> that <c>AddHermesIsolation()</c> registers.
/// </summary>
public sealed class FileMemoryStore(TurnContext turn, PolicyEngine policy) : IMemoryStore
{
    /// <summary>The bound profile's memory folder.</summary>
    public string Directory => turn.Profile.Paths.MemoryDirectory;

    /// <inheritdoc />
    public async ValueTask<MemorySnapshot> ReadAsync(CancellationToken cancellationToken = default) =>
        new(await ReadFileAsync("MEMORY.md", cancellationToken), await ReadFileAsync("USER.md", cancellationToken));

    /// <summary>Appends a line to the bound profile's MEMORY.md, if the policy allows <c>memory.write</c>.</summary>
    public async ValueTask<PolicyDecision> AppendAsync(string line, CancellationToken cancellationToken = default)
    {
        var decision = await policy.AuthorizeAsync(PolicyActions.MemoryWrite, turn.Profile.Key, cancellationToken);
        if (decision.IsAllowed)
        {
            System.IO.Directory.CreateDirectory(Directory);
            await File.AppendAllTextAsync(Path.Combine(Directory, "MEMORY.md"), "- " + line.ReplaceLineEndings(" ") + "\n", cancellationToken);
        }

        return decision;
    }

    private async Task<string> ReadFileAsync(string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Directory, name);
        return File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : string.Empty;
    }
}
