using System.Text.Json.Nodes;
using Hermes.Identity.Sessions;

namespace Hermes.Identity.Cli.Tests;

/// <summary>
/// migrate hermes, run as a process on Hermes homes of an old and a recent schema; the result read back through the
/// library's public API: who got which conversation, timestamps, tool calls, Chinese search, memory entries.
/// </summary>
public sealed class MigrationTests
{
    private static readonly SenderEnvelope Louis = new("telegram", HermesHomes.OwnerTelegram);
    private static readonly SenderEnvelope Mei = new("telegram", HermesHomes.MeiTelegram);
    private static readonly SenderEnvelope Alex = new("telegram", HermesHomes.AlexTelegram);

    private static string[] Migrate(string home, params string[] more) =>
        ["migrate", "hermes", home, "--owner", "louis", "--owner-account", "telegram:" + HermesHomes.OwnerTelegram, "--owner-name", "Louis", .. more];

    [Fact]
    public async Task A_dry_run_reports_everything_and_writes_nothing()
    {
        using var temp = new TempDirectory("cli-migrate");
        var home = temp.Combine("hermes");
        var root = temp.Combine("data");
        HermesHomes.WriteRecent(home);
        Directory.CreateDirectory(root);
        var before = HermesHomes.Fingerprint(home);

        var text = ToolRun.RunAsync(root, Migrate(home));
        var json = ToolRun.RunAsync(root, Migrate(home, "--json"));
        await Task.WhenAll(text, json);

        Golden.Match("migrate-dry-run", await text, Paths(temp));
        Assert.Equal(0, (await json).ExitCode);
        var report = JsonNode.Parse((await json).Out)!;
        Assert.False((bool)report["applied"]!);
        Assert.Equal(31, (int)report["schema_version"]!);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
        Assert.Equal(before, HermesHomes.Fingerprint(home));
    }

    [Fact]
    public async Task The_recent_schema_migrates_to_each_person_with_its_times_tool_calls_and_chinese_search()
    {
        using var temp = new TempDirectory("cli-migrate");
        var home = temp.Combine("hermes");
        var root = temp.Combine("data");
        HermesHomes.WriteRecent(home);
        var before = HermesHomes.Fingerprint(home);

        var run = await ToolRun.RunAsync(temp.Path, Migrate(home, "--apply", "--root", root, "--json"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(before, HermesHomes.Fingerprint(home));
        var report = JsonNode.Parse(run.Out)!;
        Assert.True((bool)report["applied"]!);
        Assert.Equal(3, (int)report["imported"]!["sessions_by_profile"]!["louis"]!);
        Assert.Equal(1, (int)report["sessions"]!["chains_merged"]!);
        Assert.Equal(1, (int)report["sessions"]!["inactive_messages_skipped"]!);
        Assert.Equal(1, (int)report["sessions"]!["compacted_messages_skipped"]!);
        Assert.Equal(1, (int)report["sessions"]!["empty_skipped"]!);
        var unassigned = Assert.Single(report["sessions"]!["unassigned"]!.AsArray());
        Assert.Equal("s-stranger", (string)unassigned!["session"]!);
        Assert.Equal(1, (int)report["memory"]!["MEMORY.md"]!["duplicates_dropped"]!);
        Assert.Equal(HermesHomes.LongEntry, (string)Assert.Single(report["memory"]!["MEMORY.md"]!["over_limit"]!.AsArray())!);
        Assert.True(File.Exists((string)report["imported"]!["report_file"]!));

        await using var view = new LibraryView(root);
        var people = view.Snapshot.Profiles;
        Assert.Equal("owner", people["louis"].Role);
        Assert.Equal("guest", people["telegram-5550001"].Role);   // allow-listed: guest, never owner
        Assert.Equal("guest", people["alex"].Role);               // paired
        Assert.Single(people.Values, p => p.Role == "owner");
        Assert.DoesNotContain(people.Values, p => p.Accounts.Contains("discord:4242"));

        var louis = await view.SessionsAsync(Louis);
        Assert.Equal(3, louis.Count);
        var trip = Assert.Single(louis, s => s.Title == "Plan the trip");
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(HermesHomes.T0), trip.Created);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(HermesHomes.T0 + 4), trip.Updated);
        var messages = await view.MessagesAsync(Louis, trip.Id);
        Assert.Equal([SessionRoles.User, SessionRoles.Assistant, SessionRoles.Tool, SessionRoles.Assistant], messages.Select(m => m.Role));
        Assert.Equal([HermesHomes.T0 + 1, HermesHomes.T0 + 2, HermesHomes.T0 + 3, HermesHomes.T0 + 4], messages.Select(m => m.Time.ToUnixTimeSeconds()));
        Assert.Equal(("web_search", "call_1", """{"q":"西湖游船"}"""), (messages[1].ToolName, messages[1].ToolCallId, messages[1].Content));
        Assert.Equal(("call_1", "西湖游船 8:00-17:00"), (messages[2].ToolCallId, messages[2].Content));

        var groceries = Assert.Single(louis, s => s.Title == "Groceries");
        Assert.Equal(["buy milk", "noted: milk"], (await view.MessagesAsync(Louis, groceries.Id)).Select(m => m.Content));
        var chain = Assert.Single(louis, s => s.Title == "Long talk");
        Assert.True(chain.Archived);
        Assert.Equal(ChatKind.Direct, chain.ChatKind);
        Assert.Equal(["first half question", "first half answer", "second half question", "second half answer"], (await view.MessagesAsync(Louis, chain.Id)).Select(m => m.Content));

        var mei = Assert.Single(await view.SessionsAsync(Mei));
        Assert.Equal(("Family group", ChatKind.Group, "-100200"), (mei.Title, mei.ChatKind, mei.ChatId));
        Assert.Single(await view.SessionsAsync(Alex));

        // Chinese search through ISessionStore: 4 characters (trigram index) and 2 (LIKE), and only one's own messages.
        Assert.Contains(await view.SearchAsync(Louis, "西湖游船"), h => h.SessionId == trip.Id);
        Assert.Contains(await view.SearchAsync(Mei, "公园"), h => h.SessionId == mei.Id);
        Assert.Empty(await view.SearchAsync(Mei, "西湖"));
        Assert.Empty(await view.SearchAsync(Louis, "公园"));

        var memory = await view.MemoryAsync(Louis);
        Assert.Equal(["Louis prefers tea", "The NAS is at 192.168.1.10"], memory.Notes);
        Assert.Equal(["Louis lives in Hangzhou", "路易斯喜欢西湖"], memory.User);

        // The same state.db again: refused, nothing copied twice.
        var again = await ToolRun.RunAsync(temp.Path, Migrate(home, "--apply", "--root", root));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("imported already", again.Error, StringComparison.Ordinal);
        Assert.Equal(3, (await view.SessionsAsync(Louis)).Count);
    }

    [Fact]
    public async Task The_old_schema_migrates_with_its_times_and_chinese_search()
    {
        using var temp = new TempDirectory("cli-migrate");
        var home = temp.Combine("hermes");
        var root = temp.Combine("data");
        HermesHomes.WriteOld(home);

        var run = await ToolRun.RunAsync(temp.Path, Migrate(home, "--apply", "--root", root));
        Golden.Match("migrate-old-apply", run, Paths(temp));

        await using var view = new LibraryView(root);
        var louis = await view.SessionsAsync(Louis);
        Assert.Equal(2, louis.Count);
        var telegram = Assert.Single(louis, s => s.Created == DateTimeOffset.FromUnixTimeMilliseconds((HermesHomes.T0 + 50) * 1000 + 500));
        var messages = await view.MessagesAsync(Louis, telegram.Id);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds((HermesHomes.T0 + 52) * 1000 + 250), messages[^1].Time);
        Assert.Equal(ChatKind.Direct, telegram.ChatKind);

        var cli = Assert.Single(louis, s => s.Id != telegram.Id);
        var cliMessages = await view.MessagesAsync(Louis, cli.Id);
        Assert.Equal(("terminal", "c9", """{"cmd":"ls"}"""), (cliMessages[1].ToolName, cliMessages[1].ToolCallId, cliMessages[1].Content));
        Assert.Contains(await view.SearchAsync(Louis, "西湖"), h => h.SessionId == cli.Id);
        Assert.Contains(await view.SearchAsync(Louis, "西湖边的茶"), h => h.SessionId == cli.Id);

        var mei = Assert.Single(await view.SessionsAsync(Mei));
        Assert.Equal("hello from Mei", Assert.Single(await view.MessagesAsync(Mei, mei.Id)).Content);
    }

    [Fact]
    public async Task It_refuses_while_the_gateway_runs_and_goes_on_past_a_stale_pid_file()
    {
        using var temp = new TempDirectory("cli-migrate");
        var home = temp.Combine("hermes");
        var root = temp.Combine("data");
        HermesHomes.WriteOld(home);
        HermesHomes.GatewayPid(home, Environment.ProcessId);   // a live process: this test's own

        var refused = await ToolRun.RunAsync(temp.Path, Migrate(home, "--apply", "--root", root));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("gateway is running", refused.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(root));

        // A pid file left by a gateway that has exited: a process that ran and ended.
        using var ended = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        await ended.WaitForExitAsync();
        HermesHomes.GatewayPid(home, ended.Id);
        var run = await ToolRun.RunAsync(temp.Path, Migrate(home, "--root", root));
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task The_forks_identities_yaml_converts_with_a_warning_per_field_without_equivalent()
    {
        using var temp = new TempDirectory("cli-fork");
        var fork = temp.Write("fork/identities.yaml", """
            identities:
              - name: Louis
                role: owner
                platforms:
                  telegram: "732113076"
                cli_default: true
                default_model: anthropic/claude-sonnet-4
              - name: Mei Lin
                role: user
                platforms:
                  telegram: "5550001"
                  discord: ["111", "222"]
                notes: my sister
                agent: helper
              - name: Old Friend
                role: trusted
                platforms: ["slack:U123"]
              - name: Cousin
                role: owner
                platforms: { wechat: wx_cousin }
            """);
        var converted = temp.Combine("identities.yaml");
        var print = ToolRun.RunAsync(temp.Path, ["migrate", "identities", fork, "--owner", "louis"]);
        var write = ToolRun.RunAsync(temp.Path, ["migrate", "identities", fork, "--owner", "louis", "--out", converted]);
        await Task.WhenAll(print, write);
        Golden.Match("migrate-identities", await print, Paths(temp));
        Assert.Equal(0, (await write).ExitCode);

        // The library loads what was written: roles as converted.
        var validate = await ToolRun.RunAsync(temp.Path, ["validate", converted]);
        Assert.True(validate.ExitCode == 0, validate.ToString());
        await using var view = new LibraryView(temp.Path);
        Assert.Equal("owner", view.Snapshot.Profiles["louis"].Role);
        Assert.Equal("user", view.Snapshot.Profiles["mei-lin"].Role);
        Assert.Equal("trusted", view.Snapshot.Profiles["cousin"].Role);
        Assert.Equal(["telegram:5550001", "discord:111", "discord:222"], view.Snapshot.Profiles["mei-lin"].Accounts);
    }

    [Fact]
    public async Task Into_a_root_that_has_identities_yaml_it_keeps_the_file_and_reports_the_people_it_lacks()
    {
        using var temp = new TempDirectory("cli-migrate");
        var home = temp.Combine("hermes");
        HermesHomes.WriteRecent(home);
        var root = Roots.Create(temp, "data", """
            version: 1
            identities:
              louis:
                role: owner
                accounts: { telegram: "732113076" }
            """);
        var before = File.ReadAllText(Path.Combine(root, "identities.yaml"));

        var run = await ToolRun.RunAsync(root, ["migrate", "hermes", home, "--owner", "louis", "--apply", "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var report = JsonNode.Parse(run.Out)!;
        Assert.Equal("kept", (string)report["identities_yaml"]!);
        Assert.Equal(["telegram-5550001", "alex"], report["people_to_add"]!.AsArray().Select(p => (string)p!["key"]!));
        Assert.Equal(3, report["sessions"]!["unassigned"]!.AsArray().Count);   // mei's, alex's, the stranger's: none given to louis
        Assert.Equal(3, (int)report["imported"]!["sessions_by_profile"]!["louis"]!);
        Assert.Equal(before, File.ReadAllText(Path.Combine(root, "identities.yaml")));
        Assert.Equal(2, (await ToolRun.RunAsync(root, ["migrate", "hermes", home, "--owner", "mei"])).ExitCode);   // not an owner there
    }

    internal static Dictionary<string, string> Paths(TempDirectory temp) => new() { [temp.Path] = "<TEMP>" };
}
