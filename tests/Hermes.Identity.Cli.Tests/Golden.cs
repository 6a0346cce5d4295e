using System.Text.RegularExpressions;

namespace Hermes.Identity.Cli.Tests;

/// <summary>
/// Golden files under Golden/: the exit code, standard output and standard error of a run, with the temp paths and the
/// clock's times replaced by placeholders. HERMES_UPDATE_GOLDEN=1 rewrites them from the current output (review the diff).
/// </summary>
public static partial class Golden
{
    public static void Match(string name, ToolRun run, IReadOnlyDictionary<string, string>? replace = null)
    {
        var actual = Normalize(run.ToString(), replace);
        // From the repository, not [CallerFilePath]: a CI build maps source paths to /_/ (deterministic builds).
        var file = Path.Combine(Hermes.Identity.TestSupport.Repository.Root, "tests", "Hermes.Identity.Cli.Tests", "Golden", name + ".txt");
        if (Environment.GetEnvironmentVariable("HERMES_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(file, actual);
            return;
        }

        Assert.True(File.Exists(file), $"{file} is missing; run with HERMES_UPDATE_GOLDEN=1 to write it. Output:\n{actual}");
        var expected = File.ReadAllText(file).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }

    public static string Normalize(string text, IReadOnlyDictionary<string, string>? replace = null)
    {
        foreach (var (from, to) in (replace ?? new Dictionary<string, string>()).OrderByDescending(kv => kv.Key.Length))
        {
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        text = Iso().Replace(text, "<TIME>");
        text = FileLimit().Replace(text, "may open <N>");
        text = Digest().Replace(text, "hermes-<DIGEST>.json");
        return text.ReplaceLineEndings("\n");
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")]
    private static partial Regex Iso();

    [GeneratedRegex(@"hermes-[0-9a-f]{16}\.json")]
    private static partial Regex Digest();

    [GeneratedRegex(@"may open \d+")]
    private static partial Regex FileLimit();
}
