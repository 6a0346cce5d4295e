namespace Hermes.Identity.TestSupport;

/// <summary>
/// identities.yaml texts for the tests, from the story in ARCHITECTURE.md: Louis, the owner, on telegram:111; Mei, whom
/// he trusts, on telegram:222; and whoever a test adds.
/// </summary>
public static class Identities
{
    /// <summary>Louis's telegram user id: profile <c>louis</c>, role owner.</summary>
    public const string Louis = "111";

    /// <summary>Mei's telegram user id: profile <c>mei</c>, role trusted.</summary>
    public const string Mei = "222";

    /// <summary>The <c>tools:</c> section of the story: each tool's category.</summary>
    public const string Tools = """
        tools:
          terminal: exec
          execute_code: exec
          read_file: files.read
          write_file: files.write
          search_files: files.read
          web_search: web.search
          memory: memory
          session_search: sessions
        """;

    /// <summary>The whole story: louis (also on discord), mei, ah-ma (family: trusted without the web, two wechat accounts), the tools.</summary>
    public const string Story = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            display_name: Louis
            role: owner
            accounts:
              telegram: "111"
              discord: "184021551188"
          mei:
            display_name: Mei
            role: trusted
            accounts: { telegram: "222" }
          ah-ma:
            role: family
            accounts:
              wechat: [wx_a1, wx_a2]
        roles:
          family:
            inherits: trusted
            deny: [tool.web.*]
        """ + "\n" + Tools;

    /// <summary>
    /// louis (owner, telegram:111) and mei (trusted, telegram:222), unknown senders admitted as guests, then
    /// <paramref name="more"/> in order: further people (<see cref="Person"/>), then whole sections (<c>roles:</c>, <see cref="Tools"/>).
    /// </summary>
    public static string Household(params string[] more) => HouseholdOn(Louis, Mei, more);

    /// <summary>The <see cref="Household"/> with louis and mei on other telegram user ids.</summary>
    public static string HouseholdOn(string louis, string mei, params string[] more) =>
        string.Join('\n', ["version: 1", "unknown_senders: guest", "identities:", Person("louis", "owner", louis), Person("mei", "trusted", mei), .. more]);

    /// <summary>One entry under <c>identities:</c>: a profile with its role, one telegram account and any rules of its own (<c>deny: [workspace.read]</c>).</summary>
    public static string Person(string key, string role, string telegramId, params string[] rules) =>
        string.Join('\n', [$"  {key}:", $"    role: {role}", $"    accounts: {{ telegram: \"{telegramId}\" }}", .. rules.Select(rule => "    " + rule)]);
}
