using McpServerSample;

namespace Hermes.Identity.Mcp.Tests;

public sealed class SampleTests
{
    [Fact]
    public async Task The_mcp_sample_serves_two_callers_and_refuses_the_one_it_does_not_know()
    {
        using var folder = new TempDirectory("mcp-sample");
        var output = new StringWriter();

        var exit = await McpSample.RunAsync(output, folder.Combine("data"));

        var text = output.ToString();
        Assert.Equal(0, exit);
        Assert.Contains("mei sees: recall, remember", text, StringComparison.Ordinal);
        Assert.Contains("mei shell: Refused: the tool 'notes.shell' did not run.", text, StringComparison.Ordinal);
        Assert.Contains("eve sees: (no tools)", text, StringComparison.Ordinal);
        Assert.Contains("eve recall: Refused: the tool 'notes.recall' did not run.", text, StringComparison.Ordinal);
    }
}
