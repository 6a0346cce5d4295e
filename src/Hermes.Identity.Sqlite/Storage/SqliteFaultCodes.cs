namespace Hermes.Identity.Sqlite.Storage;

// What the error paths of both SQLite stores (sessions and state) read a failure by: SQLite's primary result codes,
// the errno values they care about (Linux; macOS shares these), and a probe of why a folder takes no new file.
internal static class SqliteFaultCodes
{
    public const int SqlitePerm = 3;
    public const int SqliteBusy = 5;
    public const int SqliteLocked = 6;
    public const int SqliteReadOnly = 8;
    public const int SqliteIoErr = 10;
    public const int SqliteCorrupt = 11;
    public const int SqliteFull = 13;
    public const int SqliteCantOpen = 14;
    public const int SqliteNotADb = 26;

    public const int EPerm = 1;
    public const int EAcces = 13;
    public const int ENoSpc = 28;
    public const int ERoFs = 30;
    public const int EDQuot = 122;

    // Why a new file cannot be made in folder: ERoFs, EAcces, ENoSpc or EDQuot, or 0 when it can (or for another
    // reason). Used on error paths only; the probe file is deleted as it is closed.
    public static int ProbeFolder(string? folder)
    {
        if (folder is null || !Directory.Exists(folder))
        {
            return 0;
        }

        try
        {
            using var probe = new FileStream(Path.Combine(folder, $".write-probe-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return EAcces;
        }
        catch (IOException ex) when (ex.HResult is ERoFs or ENoSpc or EDQuot)
        {
            return ex.HResult;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
