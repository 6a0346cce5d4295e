namespace Hermes.Identity.Sqlite.Tests;

public class ProjectTests
{
    [Fact]
    public void Sqlite_package_references_the_core()
        => Assert.Equal("Hermes.Identity", typeof(AgentProfile).Assembly.GetName().Name);
}
