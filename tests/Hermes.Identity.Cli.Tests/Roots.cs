namespace Hermes.Identity.Cli.Tests;

/// <summary>Data roots for the command tests: identities.yaml of an owner and a family member, in a folder of its own.</summary>
public static class Roots
{
    public const string Identities = """
        version: 1
        unknown_senders: pair
        identities:
          louis:
            display_name: Louis
            role: owner
            accounts:
              telegram: "732113076"
          mei:
            display_name: Mei
            role: family
            accounts: { telegram: "5550001", discord: "184021551188" }
        roles:
          family:
            inherits: trusted
            require_approval: [tool.files.write]
            allow:
              - { action: tool.exec, when: { chat: direct } }
        tools:
          terminal: exec
          write_file: files.write
          web_search: web.search
        """;

    public static string Create(TempDirectory temp, string name = "data", string identities = Identities)
    {
        var root = temp.Combine(name);
        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        File.WriteAllText(Path.Combine(root, "identities.yaml"), identities);
        return root;
    }
}
