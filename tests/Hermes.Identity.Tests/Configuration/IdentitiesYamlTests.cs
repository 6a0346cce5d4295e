using Hermes.Identity.Tests.Infrastructure;

namespace Hermes.Identity.Tests.Configuration;

public class IdentitiesYamlTests
{
    private const string Root = "/srv/hermes";

    private static IdentityConfigError SingleError(string yaml, string fragment)
    {
        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse(yaml, Root));
        var error = Assert.Single(ex.Errors, e => e.Message.Contains(fragment, StringComparison.Ordinal));
        Assert.Contains($"identities.yaml:{error.Line}:{error.Column}: ", ex.Message, StringComparison.Ordinal);
        return error;
    }

    private static void AssertAt(IdentityConfigError error, int line, int column)
    {
        Assert.Equal("identities.yaml", error.File);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void The_story_file_loads_with_every_part()
    {
        var snapshot = Identities.StorySnapshot(Root);

        Assert.Equal(UnknownSenderPolicy.Guest, snapshot.UnknownSenders);
        Assert.Equal(["ah-ma", "louis", "mei"], snapshot.Profiles.Keys.Order());
        var louis = snapshot.Profiles["louis"];
        Assert.Equal(("Louis", "owner"), (louis.DisplayName, louis.Role));
        Assert.Equal(["telegram:111", "discord:184021551188"], louis.Accounts);
        Assert.True(snapshot.TryGetProfile("wechat", "wx_a2", out var ahMa));
        Assert.Equal("family", ahMa.Role);
        Assert.Equal("trusted", snapshot.Roles["family"].Inherits);
        Assert.Equal(["tool.web.*"], snapshot.Roles["family"].Deny);
        Assert.Equal("exec", snapshot.Tools["terminal"]);
        Assert.Equal(Path.Combine(Root, "agents", "mei", "state.db"), snapshot.Profiles["mei"].Paths.SessionDatabase);
        Assert.Matches("^[0-9a-f]{16}$", snapshot.Revision);
    }

    [Fact]
    public void Revision_is_a_hash_of_the_content()
    {
        Assert.Equal(Identities.StorySnapshot(Root).Revision, Identities.StorySnapshot("/elsewhere").Revision);
        Assert.NotEqual(Identities.StorySnapshot(Root).Revision, IdentitySnapshot.Parse(Identities.Story + "\n# edited\n", Root).Revision);
    }

    [Fact]
    public void Unquoted_ids_keep_their_exact_text()
    {
        var snapshot = IdentitySnapshot.Parse("""
            version: 1
            identities:
              a: { role: guest, accounts: { telegram: 0123 } }
              b: { role: guest, accounts: { telegram: 1e3 } }
            """, Root);
        Assert.True(snapshot.TryGetProfile(new("telegram", "0123"), out _));
        Assert.True(snapshot.TryGetProfile(new("telegram", "1e3"), out _));
        Assert.False(snapshot.TryGetProfile(new("telegram", "123"), out _));
    }

    [Fact]
    public void Unknown_senders_default_to_deny()
        => Assert.Equal(UnknownSenderPolicy.Deny, IdentitySnapshot.Parse("version: 1\nidentities: {}\n", Root).UnknownSenders);

    [Fact]
    public void Unknown_key_says_where_and_suggests_the_right_one()
    {
        var error = SingleError("""
            version: 1
            identities:
              mei:
                rol: trusted
                accounts: { telegram: "222" }
            """, "Unknown key 'rol'");
        AssertAt(error, 4, 5);
        Assert.Contains("Did you mean 'role'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_role_is_reported_at_the_identity()
    {
        var error = SingleError("""
            version: 1
            identities:
              mei:
                accounts: { telegram: "222" }
            """, "has no 'role'");
        AssertAt(error, 4, 5);
    }

    [Fact]
    public void Unknown_role_lists_the_known_ones()
    {
        var error = SingleError("""
            version: 1
            identities:
              mei:
                role: trustd
                accounts: { telegram: "222" }
            """, "role 'trustd'");
        AssertAt(error, 4, 11);
        Assert.Contains("Known roles: guest, owner, trusted", error.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'trusted'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_account_claimed_by_two_identities_names_both()
    {
        var error = SingleError("""
            version: 1
            identities:
              louis:
                role: owner
                accounts: { telegram: "111" }
              mei:
                role: trusted
                accounts: { telegram: "111" }
            """, "claimed by both");
        AssertAt(error, 8, 27);
        Assert.Contains("'louis' (line 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("telegram:111", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_id_on_two_platforms_is_two_accounts()
    {
        var snapshot = IdentitySnapshot.Parse("""
            version: 1
            identities:
              louis: { role: owner, accounts: { telegram: "111" } }
              mei: { role: trusted, accounts: { discord: "111" } }
            """, Root);
        Assert.True(snapshot.TryGetProfile(new("telegram", "111"), out var a));
        Assert.True(snapshot.TryGetProfile(new("discord", "111"), out var b));
        Assert.Equal(("louis", "mei"), (a.Key, b.Key));
    }

    [Theory]
    [InlineData("Louis")]
    [InlineData("../louis")]
    [InlineData("_shared")]
    [InlineData("a b")]
    public void Bad_profile_key_is_refused(string key)
    {
        var error = SingleError($$"""
            version: 1
            identities:
              "{{key}}":
                role: owner
                accounts: { telegram: "111" }
            """, "not a valid profile key");
        AssertAt(error, 3, 3);
    }

    [Fact]
    public void Guest_prefix_is_reserved()
        => AssertAt(SingleError("""
            version: 1
            identities:
              guest-telegram-abcdef012345: { role: guest, accounts: { telegram: "9" } }
            """, "reserved for auto-admitted guests"), 3, 3);

    [Theory]
    [InlineData("version: 2", "Unsupported version '2'")]
    [InlineData("version: one", "Unsupported version 'one'")]
    public void Wrong_version_is_refused(string versionLine, string fragment)
        => AssertAt(SingleError($"{versionLine}\nidentities: {{}}\n", fragment), 1, 10);

    [Fact]
    public void Missing_version_is_refused()
        => AssertAt(SingleError("identities: {}\n", "'version' is missing"), 1, 1);

    [Fact]
    public void Tab_indentation_is_reported_with_its_position()
    {
        var error = SingleError("version: 1\nidentities:\n  mei:\n\trole: trusted\n", "tab is used for indentation");
        AssertAt(error, 4, 1);
    }

    [Fact]
    public void Duplicate_identity_keys_are_refused()
    {
        var error = SingleError("""
            version: 1
            identities:
              mei: { role: trusted, accounts: { telegram: "222" } }
              mei: { role: owner, accounts: { telegram: "333" } }
            """, "Duplicate key 'mei'");
        AssertAt(error, 4, 3);
        Assert.Contains("first at line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_keys_inside_an_identity_are_refused()
        => AssertAt(SingleError("""
            version: 1
            identities:
              mei:
                role: guest
                role: owner
                accounts: { telegram: "222" }
            """, "Duplicate key 'role'"), 5, 5);

    [Fact]
    public void Truncated_file_is_reported_as_malformed_with_a_position()
    {
        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse("version: 1\nidentities:\n  mei:\n    role: \"trus", Root));
        var error = Assert.Single(ex.Errors);
        Assert.Contains("malformed", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line >= 4, error.ToString());
    }

    [Fact]
    public void Unclosed_flow_mapping_is_malformed()
    {
        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse("version: 1\nidentities:\n  mei: { role: trusted, accounts: { telegram: \"222\" }\n", Root));
        Assert.Contains("malformed", Assert.Single(ex.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Anchors_and_aliases_are_refused()
    {
        var error = SingleError("""
            version: 1
            identities:
              louis: &owner { role: owner, accounts: { telegram: "1" } }
              mei: *owner
            """, "anchors");
        AssertAt(error, 3, 10);
    }

    [Fact]
    public void An_alias_bomb_is_refused_without_expanding_it()
    {
        var lines = new List<string> { "version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 30; i++)
        {
            lines.Add($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]");
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse(string.Join('\n', lines), Root));
        Assert.Contains("not allowed", ex.Errors[0].Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "the bomb must not be expanded");
    }

    [Fact]
    public void A_file_over_one_mebibyte_is_refused_before_parsing()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("identities.yaml", "version: 1\n# " + new string('x', IdentitySnapshot.MaxFileBytes) + "\n");
        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Load(path, dir.Path));
        Assert.Contains("limited to", ex.Message, StringComparison.Ordinal);
        Assert.Equal(path, ex.Errors[0].File);
    }

    [Fact]
    public void The_size_error_says_how_big_the_file_is_what_the_cap_means_and_what_to_do()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("identities.yaml", "version: 1\n# " + new string('x', 1_200_000) + "\n");
        var message = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Load(path, dir.Path)).Message;

        Assert.Contains($"{new FileInfo(path).Length:N0} bytes", message, StringComparison.Ordinal);
        Assert.Contains($"{IdentitySnapshot.MaxFileBytes:N0} bytes (1 MiB)", message, StringComparison.Ordinal);
        Assert.Contains("about 15,000 people", message, StringComparison.Ordinal);
        Assert.Contains("out of this file", message, StringComparison.Ordinal);
        Assert.Contains("database", message, StringComparison.Ordinal);
        Assert.Contains("docs/directory.md", message, StringComparison.Ordinal);
        Assert.DoesNotContain("right file", message, StringComparison.Ordinal);
    }

    [Fact]
    public void About_15000_people_fit_under_the_cap_as_the_size_error_says()
    {
        // People written as in the README (a six-letter key, a role, one ten-digit account): fill the file to the cap
        // and count them, then load it, so the number in the error is true and no other limit stops the file first.
        static string Person(int i) => $"  p{i:D5}:\n    role: trusted\n    accounts: {{ telegram: \"{7_321_130_000L + i}\" }}\n";
        var text = new System.Text.StringBuilder("version: 1\nidentities:\n");
        var people = 0;
        while (text.Length + Person(people).Length <= IdentitySnapshot.MaxFileBytes)
        {
            text.Append(Person(people++));
        }

        Assert.InRange(people, 14_000, 16_000);
        using var dir = new TempDirectory();
        var path = dir.Write("identities.yaml", text.ToString());
        Assert.Equal(people, IdentitySnapshot.Load(path, dir.Path).Profiles.Count);
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var yaml = "version: 1\nidentities: " + new string('[', 40) + new string(']', 40) + "\n";
        Assert.Contains("nests deeper", Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse(yaml, Root)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pattern_naming_an_unknown_tool_category_is_refused()
    {
        // A typo in a deny would otherwise silently deny nothing.
        var error = SingleError("""
            version: 1
            identities: {}
            roles:
              family:
                inherits: trusted
                deny: [tool.webb.*]
            """, "'tool.webb.*'");
        AssertAt(error, 6, 12);
        Assert.Contains("matches no known action", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pattern_for_a_category_from_the_tools_map_is_accepted()
    {
        var snapshot = IdentitySnapshot.Parse("""
            version: 1
            identities: {}
            roles:
              family: { inherits: trusted, deny: [tool.mail.send] }
            tools:
              send_mail: mail.send
            """, Root);
        Assert.Equal(["tool.mail.send"], snapshot.Roles["family"].Deny);
    }

    [Fact]
    public void Inheriting_an_unknown_role_is_refused()
        => AssertAt(SingleError("version: 1\nidentities: {}\nroles:\n  family: { inherits: trustd }\n", "inherits 'trustd'"), 4, 3);

    [Fact]
    public void Circular_inheritance_is_refused()
        => Assert.Contains(
            Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse("version: 1\nidentities: {}\nroles:\n  a: { inherits: b }\n  b: { inherits: a }\n", Root)).Errors,
            e => e.Message.Contains("in a circle", StringComparison.Ordinal));

    [Fact]
    public void Empty_file_says_how_to_start()
        => AssertAt(SingleError("  \n", "The file is empty"), 1, 1);

    [Fact]
    public void Two_documents_are_refused()
        => Assert.Contains("more than one YAML document", Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse("version: 1\nidentities: {}\n---\nversion: 1\n", Root)).Message, StringComparison.Ordinal);

    [Fact]
    public void Invalid_platform_name_in_accounts_is_refused()
        => AssertAt(SingleError("version: 1\nidentities:\n  mei: { role: guest, accounts: { \"tele gram\": \"1\" } }\n", "not a valid platform name"), 3, 35);

    [Fact]
    public void Control_character_in_an_account_id_is_refused()
        => Assert.Contains("control character", SingleError("version: 1\nidentities:\n  mei: { role: guest, accounts: { telegram: \"1\\u0007\" } }\n", "control character").Message, StringComparison.Ordinal);

    [Fact]
    public void Identity_without_accounts_is_refused()
        => AssertAt(SingleError("version: 1\nidentities:\n  mei: { role: guest }\n", "has no 'accounts'"), 3, 8);

    [Fact]
    public void Every_problem_is_reported_at_once_in_file_order()
    {
        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse("""
            version: 1
            unknown_senders: maybe
            identities:
              mei: { role: nobody, accounts: { telegram: "1" } }
              ann: { role: guest, accounts: { telegram: "1" }, colour: red }
            """, Root));
        Assert.Equal(4, ex.Errors.Count);
        Assert.Equal(ex.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column), ex.Errors);
        Assert.Contains("4 problems", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_names_the_full_path()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Load(dir.Combine("nope.yaml"), dir.Path));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains(dir.Combine("nope.yaml"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_a_utf8_bom_loads()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("identities.yaml");
        File.WriteAllText(path, Identities.Story, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(3, IdentitySnapshot.Load(path, dir.Path).Profiles.Count);
    }
}
