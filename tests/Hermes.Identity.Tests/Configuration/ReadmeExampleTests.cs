using System.Text.RegularExpressions;
using Hermes.Identity.Tests.Infrastructure;

namespace Hermes.Identity.Tests.Configuration;

public partial class ReadmeExampleTests
{
    [Fact]
    public void The_identities_yaml_shown_in_the_readme_loads()
    {
        var readme = File.ReadAllText(Repository.File("README.md"));
        var examples = YamlBlock().Matches(readme).Select(m => m.Groups[1].Value).Where(y => y.Contains("version: 1", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(examples);
        foreach (var yaml in examples)
        {
            var snapshot = IdentitySnapshot.Parse(yaml, "/srv/hermes", "README.md");
            Assert.NotEmpty(snapshot.Profiles);
        }
    }

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
