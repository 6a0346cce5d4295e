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
            Assert.Contains("tools offered to the model: send_email, read_file, write_file, memory, session_search", text, StringComparison.Ordinal);
            Assert.Contains("policy: DENY tool call terminal for mei (trusted, telegram:5550001): No rule allows identity mei (role trusted) to tool.exec", text, StringComparison.Ordinal);
            Assert.Contains("policy: ALLOW tool call terminal for louis (owner, telegram:732113076)", text, StringComparison.Ordinal);
            Assert.Contains("policy: DENY tool call grant_admin_rights for mei (trusted, telegram:5550001)", text, StringComparison.Ordinal);
            Assert.Contains("tool result: Refused: the tool 'grant_admin_rights' did not run.", text, StringComparison.Ordinal);
            Assert.Contains("tool result: Refused: '../louis/notes/plan.md' leads outside the workspace", text, StringComparison.Ordinal);
            Assert.Contains("policy: DENY tool call write_file for alex (guest, telegram:98765)", text, StringComparison.Ordinal);

            // Between messages: the stranger pairs and Louis approves him as a guest.
            Assert.Contains("identity: telegram:98765 rejected: This bot only answers people its owner has approved. Your pairing code is ", text, StringComparison.Ordinal);
            Assert.Matches(@"bot: telegram:98765 is now alex \(guest\), from their next message\.", text);
            Assert.Contains("identity: telegram:98765 is profile alex (guest)", text, StringComparison.Ordinal);

            // Mei's email waits for Louis, who approves it in his next message; it runs once.
            Assert.Matches(@"notifier → louis \(telegram:732113076\): mei asks to use send_email \(tool\.email\.send\)\. Reply /approve [A-Z2-9]{8}", text);
            Assert.Matches(@"policy: ALLOW approval\.grant approval:[A-Z2-9]{8} for louis \(owner", text);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, @"model calls send_email\(to: ""landlord@example\.com"""));
            Assert.Contains("Mei's email, approved by Louis in a later message, sent exactly once: yes", text, StringComparison.Ordinal);

            // The night job acts for Mei, within her rights.
            Assert.Contains("job \"nightly-digest\" acts for mei (trusted)", text, StringComparison.Ordinal);
            Assert.Matches(@"policy: ALLOW tool call write_file for mei \(trusted, @delegation:dlg_", text);
            Assert.Matches(@"policy: DENY tool call terminal for mei \(trusted, @delegation:dlg_\w+\): No rule allows identity mei", text);
            Assert.Contains("workspaces/mei/: diary.md, digest.md", text, StringComparison.Ordinal);

            // The guest runs into his hourly budget of turns.
            Assert.Matches(@"bot: The hourly budget of turns for alex \(role guest\) is used up \(4 of 4, set by role:guest\)\. It resets at \d\d:00 UTC\.", text);
            Assert.Contains("alex's messages beyond his hourly budget refused: yes", text, StringComparison.Ordinal);

            // The closing report shows the real files.
            Assert.Contains("memories/louis/MEMORY.md: \"Louis likes plain, short answers. / § / canary: 7f3a-louis-only / § / Louis is preparing a release.\"", text, StringComparison.Ordinal);
            Assert.Contains("memories/mei/MEMORY.md: \"from now on, speak like a palace drama.\"", text, StringComparison.Ordinal);
            Assert.Contains("workspaces/louis/: notes/plan.md", text, StringComparison.Ordinal);
            Assert.Matches(@"agents/mei/state\.db: 3 session\(s\), \d+ message\(s\)", text);
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
