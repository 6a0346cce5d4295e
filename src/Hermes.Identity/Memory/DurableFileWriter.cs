using System.Security.Cryptography;

namespace Hermes.Identity.Memory;

// Replaces a file so that a crash at any point leaves the old content or the new, never a mix or
// nothing: a temp file beside the target, flushed to disk, renamed over the target, the folder
// flushed. Also makes folders durably and sweeps the temp files of writers that died mid-write.
// Throws IOException and UnauthorizedAccessException as .NET raises them; the caller explains them.
internal static class DurableFileWriter
{
    // A temp file older than this belongs to a writer that died: no live write takes a minute.
    public static readonly TimeSpan StaleTempAge = TimeSpan.FromMinutes(1);

    private const UnixFileMode OwnerFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically and durably.</summary>
    /// <returns>False when the folder could not be flushed because this platform offers no way to (the write is still atomic).</returns>
    /// <exception cref="FolderNotFlushedException">The file was replaced, but its folder could not be flushed.</exception>
    public static bool Write(string path, ReadOnlySpan<byte> content)
    {
        var temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, OwnerOnly(FileMode.CreateNew, FileAccess.Write)))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw;
        }

        try
        {
            return DirectorySync.Flush(Path.GetDirectoryName(path)!);
        }
        catch (IOException ex)
        {
            throw new FolderNotFlushedException(ex);
        }
    }

    /// <summary>Creates <paramref name="directory"/> and missing parents (0700 on Unix), flushing each new entry
    /// to disk, so a file written into a new folder is not lost with the folder on a power cut.</summary>
    public static void CreateDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        var created = new Stack<string>();
        for (var d = directory; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            created.Push(d);
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerFolderMode);
        }

        foreach (var d in created)
        {
            if (Path.GetDirectoryName(d) is { } parent)
            {
                _ = DirectorySync.Flush(parent);
            }
        }
    }

    /// <summary>Options for a file only the host's user may read and write (0600 on Unix), no buffering, no sharing.</summary>
    public static FileStreamOptions OwnerOnly(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFileMode;
        }

        return options;
    }

    /// <summary>Whether <paramref name="name"/> is a temp file this class makes: <c>.&lt;MEMORY.md|USER.md&gt;.&lt;16 hex&gt;.tmp</c>.</summary>
    public static bool IsTempFileName(string name)
    {
        if (!name.StartsWith('.') || !name.EndsWith(".tmp", StringComparison.Ordinal))
        {
            return false;
        }

        var body = name.AsSpan(1, name.Length - 5);
        var dot = body.LastIndexOf('.');
        if (dot <= 0 || body.Length - dot - 1 != 16)
        {
            return false;
        }

        var target = body[..dot];
        return (target.SequenceEqual("MEMORY.md") || target.SequenceEqual("USER.md")) && IsLowerHex(body[(dot + 1)..]);
    }

    /// <summary>Deletes the temp files in <paramref name="directory"/> older than <see cref="StaleTempAge"/> at
    /// <paramref name="now"/>: only names this class makes, so a live writer's temp file is never touched.</summary>
    /// <returns>How many were deleted; 0 when the folder does not exist.</returns>
    public static int SweepStaleTempFiles(string directory, DateTime now)
    {
        var removed = 0;
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, ".*.tmp"))
            {
                if (IsTempFileName(Path.GetFileName(file)) && now - File.GetLastWriteTimeUtc(file) > StaleTempAge)
                {
                    File.Delete(file);
                    removed++;
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // No folder, nothing to sweep.
        }

        return removed;
    }

    private static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind, it is swept as stale later.
        }
    }

    /// <summary>The file was replaced, but a power cut could still undo it: its folder could not be flushed.</summary>
    public sealed class FolderNotFlushedException(IOException inner) : IOException(inner.Message, inner);
}
