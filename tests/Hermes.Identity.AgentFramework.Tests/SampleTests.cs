namespace Hermes.Identity.AgentFramework.Tests;

/// <summary>The offline sample runs to the end and checks its own story (exit code 0).</summary>
public sealed class SampleTests
{
    [Fact]
    public async Task The_sample_exits_zero()
    {
        using var sample = ChildProcess.Start("AgentFrameworkSample");
        await sample.WaitForExitAsync();
        Assert.True(sample.ExitCode == 0, string.Join('\n', sample.Lines) + sample.Errors);
        Assert.Contains(sample.Lines, l => l.StartsWith("OK:", StringComparison.Ordinal));
    }
}
