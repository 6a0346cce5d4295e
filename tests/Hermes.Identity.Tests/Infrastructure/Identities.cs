namespace Hermes.Identity.Tests.Infrastructure;

/// <summary>identities.yaml texts shared by the tests.</summary>
public static class Identities
{
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

    public static IdentitySnapshot StorySnapshot(string root) => IdentitySnapshot.Parse(Story, root);
}
