namespace Hermes.Identity.TestSupport;

/// <summary>Finds files of this repository from a test's output folder.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string File(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Hermes.Identity.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Hermes.Identity.sln not found above " + AppContext.BaseDirectory);
    }
}
