namespace Hermes.Identity.TestSupport;

/// <summary>Deleting a test's folder.</summary>
public static class Folders
{
    private const int Attempts = 5;

    /// <summary>
    /// Deletes <paramref name="path"/> and everything in it, trying again a few times (a child process or a pooled
    /// handle may let go a moment late; a test may have left a folder read-only). Cleanup never fails a test: a folder
    /// that still cannot be deleted is left in the temp directory, under its own unique name.
    /// </summary>
    public static void DeleteWithRetry(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (attempt == Attempts)
                {
                    return;
                }

                MakeWritable(path);
                Thread.Sleep(50 * attempt);
            }
        }
    }

    // A folder without write or search permission keeps its entries from being deleted; links are not followed.
    private static void MakeWritable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode all = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        try
        {
            var folders = new[] { path }.Concat(Directory.EnumerateDirectories(path, "*", new EnumerationOptions
            {
                RecurseSubdirectories = true,
                IgnoreInaccessible = true,
                AttributesToSkip = FileAttributes.ReparsePoint,
            }));
            foreach (var folder in folders)
            {
                File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | all);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the next attempt says whether it was enough.
        }
    }
}
