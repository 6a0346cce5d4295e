using System.Text.RegularExpressions;
using Hermes.Identity.Tests.Infrastructure;

namespace Hermes.Identity.Tests.Configuration;

public partial class ReadmeExampleTests
{
    [Fact]
    public void The_identities_yaml_shown_in_the_readme_and_the_docs_loads()
    {
        var pages = new[] { Repository.File("README.md") }.Concat(Directory.EnumerateFiles(Repository.File("docs"), "*.md"));
        var checkedExamples = 0;
        foreach (var page in pages)
        {
            var examples = YamlBlock().Matches(File.ReadAllText(page)).Select(m => m.Groups[1].Value).Where(y => y.StartsWith("version: 1", StringComparison.Ordinal));
            foreach (var yaml in examples)
            {
                IdentitySnapshot.Parse(yaml, "/srv/hermes", Path.GetFileName(page));
                checkedExamples++;
            }
        }

        Assert.True(checkedExamples > 0);
    }

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
