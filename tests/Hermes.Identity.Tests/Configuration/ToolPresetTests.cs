using Hermes.Identity.Configuration;
using Hermes.Identity.Tests.Policy;

namespace Hermes.Identity.Tests.Configuration;

public sealed class ToolPresetTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "hermes-tool-presets");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Household(params string[] sections) => Identities.Household([Identities.Person("ada", "guest", "333"), .. sections]);

    [Fact]
    public void The_hermes_preset_maps_hermes_tool_names_old_and_new_to_categories()
    {
        var tools = IdentitySnapshot.Parse(Household("tool_presets: [hermes]"), Root).Tools;

        Assert.Equal("exec", tools["terminal"]);
        Assert.Equal("exec", tools["process"]);            // earlier name
        Assert.Equal("exec", tools["process_manage"]);
        Assert.Equal("exec", tools["execute_code"]);
        Assert.Equal("files.read", tools["read_file"]);
        Assert.Equal("files.read", tools["search_files"]);
        Assert.Equal("files.write", tools["write_file"]);
        Assert.Equal("files.write", tools["patch"]);
        Assert.Equal("web.search", tools["web_search"]);
        Assert.Equal("web.extract", tools["web_extract"]);
        Assert.Equal("web.browse", tools["browser_navigate"]);
        Assert.Equal("web.browse", tools["browser_close"]);  // earlier name
        Assert.Equal("memory", tools["memory"]);
        Assert.Equal("sessions", tools["session_search"]);
        Assert.Equal("skills.read", tools["skills_list"]);
        Assert.Equal("skills.read", tools["skill_view"]);
        Assert.Equal("skills.write", tools["skill_manage"]);
        Assert.Equal("delegate", tools["delegate_task"]);
        Assert.Equal("schedule", tools["cronjob"]);          // earlier name
        Assert.Equal("schedule", tools["cronjob_manage"]);
        Assert.Equal("messaging", tools["send_message"]);
        Assert.Equal("planning", tools["todo"]);             // earlier name
        Assert.Equal("planning", tools["todo_list"]);
        Assert.Equal("home.control", tools["ha_call_service"]);
        Assert.DoesNotContain(tools, t => t.Key.StartsWith("browser_", StringComparison.Ordinal) && t.Value != "web.browse");
    }

    [Fact]
    public void Entries_in_the_file_win_over_the_preset_and_add_to_it()
    {
        var tools = IdentitySnapshot.Parse(Household(
            "tools:\n  terminal: files.read\n  my_tool: exec",
            "tool_presets: hermes"), Root).Tools; // after 'tools:' in the file, and as a single name: the file still wins

        Assert.Equal("files.read", tools["terminal"]);
        Assert.Equal("exec", tools["my_tool"]);
        Assert.Equal("exec", tools["execute_code"]);
    }

    [Fact]
    public void Without_a_preset_its_categories_are_unknown_and_a_rule_naming_one_is_refused()
    {
        const string roles = "roles:\n  helper:\n    inherits: trusted\n    allow: [tool.planning, tool.skills.*]";

        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse(Household(roles), Root));
        Assert.Contains(ex.Errors, e => e.Message.Contains("tool.planning", StringComparison.Ordinal));

        var snapshot = IdentitySnapshot.Parse(Household(roles, "tool_presets: [hermes]"), Root);
        Assert.Equal("planning", snapshot.Tools["todo"]);
    }

    [Theory]
    [InlineData("tool_presets: [hermse]", 1, "There is no tool preset 'hermse'. Did you mean 'hermes'? Presets: hermes.")]
    [InlineData("tool_presets: [{ hermes: true }]", 1, "'tool_presets' lists preset names")]
    [InlineData("tool_presets: [hermes, [nested]]", 1, "A tool preset must be a single value")]
    [InlineData("tool_preset: [hermes]", 1, "Did you mean 'tool_presets'?")]
    public void A_wrong_preset_is_an_error_at_its_position_with_the_fix(string section, int errors, string fragment)
    {
        var yaml = Household(section);
        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse(yaml, Root));

        Assert.Equal(errors, ex.Errors.Count);
        var error = Assert.Single(ex.Errors);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal(yaml.Split('\n').Length, error.Line);
    }

    [Fact]
    public void Every_preset_maps_every_tool_to_a_category_a_rule_can_name()
    {
        foreach (var name in ToolPresets.Names)
        {
            var categories = ToolPresets.Find(name)!.Values.Distinct().ToList();
            var allowAll = string.Join(", ", categories.Select(c => "tool." + c));
            var snapshot = IdentitySnapshot.Parse(Household($"tool_presets: [{name}]", $"roles:\n  all-tools:\n    allow: [{allowAll}]"), Root);
            Assert.Equal(ToolPresets.Find(name)!.Count, snapshot.Tools.Count);
        }

        Assert.Null(ToolPresets.Find("openclaw"));
    }

    [Fact]
    public async Task With_the_preset_each_built_in_role_is_offered_and_allowed_the_hermes_tools_its_rules_give()
    {
        await using var host = PolicyTestHost.Create(Household("tool_presets: [hermes]"));
        string[] hermesTools =
        [
            "terminal", "process_manage", "execute_code", "read_file", "write_file", "patch", "search_files", "web_search",
            "web_extract", "browser_navigate", "browser_click", "memory", "session_search", "skills_list", "skill_manage",
            "delegate_task", "cronjob", "send_message", "todo", "clarify", "vision_analyze", "ha_call_service", "not_a_hermes_tool",
        ];

        var expected = new Dictionary<string, string[]>
        {
            [Identities.Louis] = hermesTools, // owner: every tool, listed or not
            [Identities.Mei] = ["read_file", "write_file", "patch", "search_files", "web_search", "web_extract", "browser_navigate", "browser_click", "memory", "session_search"],
            ["333"] = ["read_file", "search_files", "web_search", "memory", "session_search"],
        };

        foreach (var (userId, tools) in expected)
        {
            await using var turn = host.BeginTurn(userId);
            Assert.Equal(tools, await host.Engine.GetVisibleToolsAsync(hermesTools, Ct));
            foreach (var tool in hermesTools)
            {
                Assert.Equal(tools.Contains(tool), (await host.Engine.AuthorizeToolCallAsync(tool, cancellationToken: Ct)).IsAllowed);
            }
        }
    }
}
