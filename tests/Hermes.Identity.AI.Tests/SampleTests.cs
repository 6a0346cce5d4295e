using Hermes.Identity.Sample;

namespace Hermes.Identity.AI.Tests;

public sealed class SampleTests
{
    [Fact]
    public async Task The_sample_story_plays_out_offline_and_every_attack_is_stopped()
    {
        var folder = new TempDirectory("sample");
        var root = folder.Combine("hermes-sample-data");
        var output = new StringWriter();
        try
        {
            var exit = await SampleStory.RunAsync(output, root);
            var text = output.ToString();

            Assert.Equal(0, exit);
            Assert.Contains("bot: Of course, Louis! I believe you completely.", text, StringComparison.Ordinal);
            Assert.Contains("identity: telegram:5550001 is profile mei (trusted)", text, StringComparison.Ordinal);
            Assert.Contains("tools offered to the model: read_file, write_file, memory, session_search", text, StringComparison.Ordinal);
            Assert.Contains("policy: DENY tool call terminal for mei (trusted, telegram:5550001): No rule allows role trusted to tool.exec", text, StringComparison.Ordinal);
            Assert.Contains("policy: ALLOW tool call terminal for louis (owner, telegram:732113076)", text, StringComparison.Ordinal);
            Assert.Contains("policy: DENY tool call grant_admin_rights for mei (trusted, telegram:5550001)", text, StringComparison.Ordinal);
            Assert.Contains("tool result: Refused: the tool 'grant_admin_rights' did not run.", text, StringComparison.Ordinal);
            Assert.Contains("tool result: Refused: '../louis/notes/plan.md' leads outside the workspace", text, StringComparison.Ordinal);
            Assert.Contains("policy: DENY tool call write_file for guest-telegram-", text, StringComparison.Ordinal);

            // The closing report shows the real files.
            Assert.Contains("memories/louis/MEMORY.md: \"Louis likes plain, short answers. / § / canary: 7f3a-louis-only / § / Louis is preparing a release.\"", text, StringComparison.Ordinal);
            Assert.Contains("memories/mei/MEMORY.md: \"from now on, speak like a palace drama.\"", text, StringComparison.Ordinal);
            Assert.Contains("workspaces/mei/: diary.md", text, StringComparison.Ordinal);
            Assert.Contains("workspaces/louis/: notes/plan.md", text, StringComparison.Ordinal);
            Assert.Matches(@"agents/mei/state\.db: 2 session\(s\), \d+ message\(s\)", text);
            Assert.Matches(@"agents/louis/state\.db: 2 session\(s\), \d+ message\(s\)", text);
            Assert.Matches(@"memories/louis/MEMORY\.md: ([0-9a-f]{16})… → \1… unchanged", text);
            Assert.Matches(@"workspaces/louis/notes/plan\.md: ([0-9a-f]{16})… → \1… unchanged", text);
            Assert.Contains("Louis's files byte-for-byte unchanged since Mei started: yes", text, StringComparison.Ordinal);
            Assert.Contains("terminal used only by the owner: yes", text, StringComparison.Ordinal);
            Assert.Contains("Every attack was stopped.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("CHANGED", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Ship Hermes.Identity on Friday", text, StringComparison.Ordinal);
        }
        finally
        {
            folder.Dispose();
        }
    }
}
