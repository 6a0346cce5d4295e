namespace Hermes.Identity.Cli.Tests;

/// <summary>The read-only commands run as processes, side by side, each against its golden file.</summary>
public sealed class CommandTests
{
    [Fact]
    public async Task Read_only_commands_print_their_golden_output()
    {
        using var temp = new TempDirectory("cli-commands");
        var root = Roots.Create(temp);
        var bad = temp.Write("bad.yaml", """
            version: 1
            identities:
              louis:
                role: owner
                acounts: { telegram: "1" }
              mei:
                role: cousin
                accounts: { telegram: "2" }
            """);
        var runs = new (string Golden, string[] Args)[]
        {
            ("help", ["--help"]),
            ("validate", ["validate"]),
            ("validate-json", ["validate", "--json"]),
            ("validate-errors", ["validate", bad]),
            ("validate-errors-json", ["validate", bad, "--json"]),
            ("whois", ["whois", "telegram:5550001"]),
            ("whois-json", ["whois", "discord:184021551188", "--json"]),
            ("whois-unknown", ["whois", "telegram:1"]),
            ("explain-group", ["explain", "mei", "terminal", "--chat", "group"]),
            ("explain-approval-json", ["explain", "mei", "write_file", "--json"]),
            ("explain-action", ["explain", "mei", "memory.shared.write"]),
            ("explain-unknown-profile", ["explain", "nobody", "terminal"]),
            ("usage-missing-argument", ["whois"]),
            ("usage-bad-chat", ["explain", "mei", "terminal", "--chat", "nowhere"]),
            ("not-a-root", ["whois", "telegram:1", "--root", temp.Combine("nothing-here")]),
        };

        var results = await Task.WhenAll(runs.Select(r => ToolRun.RunAsync(root, r.Args)));
        for (var i = 0; i < runs.Length; i++)
        {
            Golden.Match(runs[i].Golden, results[i], MigrationTests.Paths(temp));
        }

        Assert.Equal([0, 0, 0, 1, 1, 0, 0, 3, 0, 0, 0, 3, 2, 2, 4], results.Select(r => r.ExitCode));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Doctor_reports_a_hermes_database_stale_temp_files_open_permissions_and_a_linked_config()
    {
        using var temp = new TempDirectory("cli-doctor");
        var healthyRoot = Roots.Create(temp, "healthy");
        var root = Roots.Create(temp, "sick", "placeholder");

        // identities.yaml behind a symbolic link, as a ConfigMap mount has it.
        var config = temp.Write("config/identities.yaml", Roots.Identities);
        File.Delete(Path.Combine(root, "identities.yaml"));
        File.CreateSymbolicLink(Path.Combine(root, "identities.yaml"), config);

        // A Hermes state.db copied where louis's profile database goes.
        var home = temp.Combine("hermes");
        HermesHomes.WriteOld(home);
        Directory.CreateDirectory(Path.Combine(root, "agents", "louis"));
        File.Copy(Path.Combine(home, "state.db"), Path.Combine(root, "agents", "louis", "state.db"));

        // A temp file of an interrupted memory write, two days old, and a fresh one (a write in progress: not reported).
        var stale = temp.Write("sick/memories/mei/.MEMORY.md.0123456789abcdef.tmp", "half");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));
        temp.Write("sick/memories/mei/.USER.md.fedcba9876543210.tmp", "in progress");

        // Folders as the umask would not make them: agents readable by everyone (a warning), memories private.
        File.SetUnixFileMode(Path.Combine(root, "agents"), (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(root, "memories"), (UnixFileMode)0b111_000_000);

        // The state folder open to everyone.
        Directory.CreateDirectory(Path.Combine(root, "state"));
        File.SetUnixFileMode(Path.Combine(root, "state"), (UnixFileMode)0b111_111_111);

        var sick = ToolRun.RunAsync(root, ["doctor"]);
        var sickJson = ToolRun.RunAsync(root, ["doctor", "--json"]);
        var healthy = ToolRun.RunAsync(healthyRoot, ["doctor"]);
        var tooMany = ToolRun.RunAsync(healthyRoot, ["doctor", "--max-open-databases", "100000000"]);
        await Task.WhenAll(sick, sickJson, healthy, tooMany);

        Golden.Match("doctor-sick", await sick, MigrationTests.Paths(temp));
        Golden.Match("doctor-sick-json", await sickJson, MigrationTests.Paths(temp));
        Golden.Match("doctor-healthy", await healthy, MigrationTests.Paths(temp));
        Assert.Equal(1, (await tooMany).ExitCode);
        Assert.Contains("FAIL file-limit", (await tooMany).Out, StringComparison.Ordinal);
    }
}
