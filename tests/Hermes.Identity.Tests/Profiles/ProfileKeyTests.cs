namespace Hermes.Identity.Tests.Profiles;

public class ProfileKeyTests
{
    [Theory]
    [InlineData("louis", true)]
    [InlineData("0", true)]
    [InlineData("mei_2-x", true)]
    [InlineData("", false)]
    [InlineData("Louis", false)]
    [InlineData("_shared", false)]
    [InlineData("-x", false)]
    [InlineData("../louis", false)]
    [InlineData("a/b", false)]
    [InlineData("a.b", false)]
    [InlineData("con:", false)]
    public void Keys_are_safe_folder_names(string key, bool valid) => Assert.Equal(valid, ProfileKey.IsValid(key));

    [Fact]
    public void Sixty_five_characters_is_one_too_many()
    {
        Assert.True(ProfileKey.IsValid(new string('a', 64)));
        Assert.False(ProfileKey.IsValid(new string('a', 65)));
    }

    [Fact]
    public void Guest_key_hashes_the_user_id_and_never_contains_it()
    {
        var key = ProfileKey.ForGuest(new PlatformPrincipal("telegram", "5550001"));
        Assert.Matches("^guest-telegram-[0-9a-f]{12}$", key);
        Assert.DoesNotContain("5550001", key, StringComparison.Ordinal);
        Assert.True(ProfileKey.IsValid(key));
    }

    [Fact]
    public void Guest_key_of_a_hostile_id_is_still_a_safe_folder_name()
    {
        var key = ProfileKey.ForGuest(new PlatformPrincipal("telegram", "../../etc/passwd"));
        Assert.True(ProfileKey.IsValid(key));
        Assert.Equal(ProfileKey.ForGuest(new PlatformPrincipal("telegram", "../../etc/passwd")), key);
        Assert.NotEqual(ProfileKey.ForGuest(new PlatformPrincipal("discord", "../../etc/passwd")), key);
    }

    [Fact]
    public void Paths_are_under_the_root_in_the_documented_layout()
    {
        var paths = ProfilePaths.For("/data", "mei");
        Assert.Equal("/data/agents/mei/state.db", paths.SessionDatabase);
        Assert.Equal("/data/memories/mei", paths.MemoryDirectory);
        Assert.Equal("/data/workspaces/mei", paths.WorkspaceDirectory);
        Assert.Throws<ArgumentException>(() => ProfilePaths.For("/data", "../mei"));
    }
}
