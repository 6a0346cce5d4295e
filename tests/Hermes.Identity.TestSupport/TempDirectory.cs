namespace Hermes.Identity.TestSupport;

/// <summary>
/// A fresh folder of its own directly under the system temp directory, with a unique name (never inside a folder that
/// tests share), deleted with retries when disposed. One per test, so tests running side by side never meet.
/// </summary>
public sealed class TempDirectory : IDisposable
{
    /// <param name="purpose">A word for the folder's name (<c>hermes-&lt;purpose&gt;-&lt;random&gt;</c>), so a folder left behind says whose it was.</param>
    public TempDirectory(string purpose = "tests")
        : this(Directory.CreateTempSubdirectory($"hermes-{purpose}-"))
    {
    }

    private TempDirectory(DirectoryInfo folder) => Path = folder.FullName;

    public string Path { get; }

    /// <summary>Takes charge of a folder made earlier, by another <see cref="TempDirectory"/>: disposing this one deletes it too.</summary>
    public static TempDirectory Adopt(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"{path} does not exist.");
        }

        return new TempDirectory(new DirectoryInfo(path));
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes <paramref name="content"/> to <paramref name="relative"/>, creating its folders; returns the full path.</summary>
    public string Write(string relative, string content)
    {
        var full = Combine(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose() => Folders.DeleteWithRetry(Path);
}
