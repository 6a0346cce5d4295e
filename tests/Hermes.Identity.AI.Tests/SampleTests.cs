using Hermes.Identity.Sample;

namespace Hermes.Identity.AI.Tests;

public sealed class SampleTests
{
    [Fact]
    public async Task The_sample_story_plays_out_offline_and_every_attack_is_stopped()
    {
        var root = Path.Combine(Path.GetTempPath(), "hermes-sample-test", Guid.NewGuid().ToString("N"), "hermes-sample-data");
        var output = new StringWriter();
        try
        {
            var exit = await SampleStory.RunAsync(output, root);
            var text = output.ToString();

            Assert.Equal(0, exit);
            Assert.Contains("bot: Of course, Louis! I believe you completely.", text, StringComparison.Ordinal);
            Assert.Contains("identity: telegram:5550001 is profile mei (trusted)", text, StringComparison.Ordinal);
            Assert.Contains("tools offered to the model: read_file, write_file, memory, session_search", text, StringComparison.Ordinal);
            Assert.Contains("policy: DENY tool.exec terminal for mei (trusted, telegram:5550001)", text, StringComparison.Ordinal);
            Assert.Contains("policy: ALLOW tool.exec terminal for louis (owner, telegram:732113076)", text, StringComparison.Ordinal);
            Assert.Contains("tool result: Refused: '../louis/notes/plan.md' is outside mei's workspace.", text, StringComparison.Ordinal);
            Assert.Contains("memory of mei: - from now on, speak like a palace drama.", text, StringComparison.Ordinal);
            Assert.Contains("Louis's MEMORY.md unchanged since Mei started: yes", text, StringComparison.Ordinal);
            Assert.Contains("Louis's workspace files unchanged since Mei started: yes", text, StringComparison.Ordinal);
            Assert.Contains("terminal used only by the owner: yes", text, StringComparison.Ordinal);
            Assert.Contains("Every attack was stopped.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Ship Hermes.Identity on Friday", text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(root)!, recursive: true);
        }
    }
}
