using Microsoft.Win32.SafeHandles;

namespace Hermes.Identity.Workspace;

// The workspace where the Linux system calls are not available (Windows, macOS, the BSDs): .NET path
// APIs, every name on the way checked not to be a symbolic link or other reparse point, '..' refused.
// This is a check-then-open: a process that can swap a folder for a link between the check and the
// open can still escape. The README says so.
internal sealed class PortableWorkspaceFileSystem : WorkspaceFileSystem
{
    private static readonly string[] s_windowsDeviceNames =
    [
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    private readonly string _root;
    private readonly bool _confined;

    private PortableWorkspaceFileSystem(string root, bool confined, bool exactNames)
        : base(exactNames)
    {
        _root = root;
        _confined = confined;
    }

    public override bool IsConfined => _confined;

    public override string Mechanism => _confined ? "path walk refusing links (not race-free)" : "path (unconfined)";

    /// <exception cref="WorkspaceAccessException">The folder could not be created, or is a symbolic link.</exception>
    public static PortableWorkspaceFileSystem Open(string root, bool confined, bool exactNames = false)
    {
        var full = Path.GetFullPath(root);
        EnsureRoot(full);
        if (new DirectoryInfo(full).LinkTarget is not null)
        {
            throw WorkspaceErrors.ForRoot(LinuxNative.ELoop, full);
        }

        return new PortableWorkspaceFileSystem(full, confined, exactNames);
    }

    protected override SafeFileHandle OpenUnchecked(string path, WorkspaceFileMode mode) => Try(path, () =>
    {
        var full = Resolve(path);
        if (Directory.Exists(full))
        {
            throw NotARegularFile(path, isDirectory: true);
        }

        if (mode == WorkspaceFileMode.CreateNew && Path.Exists(full))
        {
            throw WorkspaceErrors.FromErrno(LinuxNative.EExist, path);
        }

        return File.OpenHandle(
            full,
            mode switch { WorkspaceFileMode.Read => FileMode.Open, WorkspaceFileMode.CreateNew => FileMode.CreateNew, _ => FileMode.OpenOrCreate },
            mode == WorkspaceFileMode.Read ? FileAccess.Read : FileAccess.Write,
            FileShare.Read);
    });

    protected override long CheckRegularFile(SafeFileHandle handle, string path) => Try(path, () =>
    {
        var attributes = File.GetAttributes(handle);
        if ((attributes & (FileAttributes.Directory | FileAttributes.Device | FileAttributes.ReparsePoint)) != 0)
        {
            throw NotARegularFile(path, (attributes & FileAttributes.Directory) != 0);
        }

        return RandomAccess.GetLength(handle);
    });

    public override WorkspaceEntry GetInfo(string path)
    {
        path = Check(path);
        return Try(path, () =>
        {
            var full = Resolve(path);
            if (Directory.Exists(full))
            {
                return new WorkspaceEntry(path, WorkspaceEntryKind.Directory, 0, Directory.GetLastWriteTimeUtc(full));
            }

            var info = new FileInfo(full);
            return info.Exists
                ? new WorkspaceEntry(path, WorkspaceEntryKind.File, info.Length, info.LastWriteTimeUtc)
                : throw new FileNotFoundException();
        });
    }

    public override IReadOnlyList<WorkspaceEntry> List(string? path, int maxEntries)
    {
        path = path is null ? null : Check(path);
        var prefix = path is null ? string.Empty : path.TrimEnd('/') + "/";
        return Try(path ?? ".", () =>
        {
            var full = path is null ? _root : Resolve(path);
            var entries = new List<WorkspaceEntry>();
            foreach (var info in new DirectoryInfo(full).EnumerateFileSystemInfos())
            {
                if (entries.Count == maxEntries)
                {
                    throw new WorkspaceAccessException(WorkspaceAccessReason.TooLarge, $"The directory has more than {maxEntries:N0} entries, the listing limit. List a folder further down.");
                }

                var kind = info.LinkTarget is not null || (info.Attributes & FileAttributes.ReparsePoint) != 0 ? WorkspaceEntryKind.SymbolicLink
                    : (info.Attributes & FileAttributes.Directory) != 0 ? WorkspaceEntryKind.Directory
                    : WorkspaceEntryKind.File;
                entries.Add(new WorkspaceEntry(prefix + info.Name, kind, info is FileInfo f && kind == WorkspaceEntryKind.File ? f.Length : 0, info.LastWriteTimeUtc));
            }

            entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            return (IReadOnlyList<WorkspaceEntry>)entries;
        });
    }

    public override void Delete(string path)
    {
        path = Check(path);
        var (parent, name) = WorkspacePath.Split(path);
        CheckName(path, name);
        Try(path, () =>
        {
            var full = Path.Join(parent.Length == 0 ? _root : Resolve(parent), name);
            var info = new FileInfo(full);
            if (info.LinkTarget is null && Directory.Exists(full))
            {
                if (Directory.EnumerateFileSystemEntries(full).Any())
                {
                    throw WorkspaceErrors.FromErrno(LinuxNative.ENotEmpty, path);
                }

                Directory.Delete(full, recursive: false);
            }
            else if (info.Exists || info.LinkTarget is not null)
            {
                File.Delete(full);
            }
            else
            {
                throw new FileNotFoundException();
            }

            return 0;
        });
    }

    public override void CreateDirectory(string path)
    {
        // Resolve checks the names that exist; the ones created here are new, so they are not links.
        path = Check(path);
        Try(path, () => EnsureDirectory(Resolve(path)));
    }

    public override void Move(string source, string destination, bool overwrite)
    {
        source = Check(source);
        destination = Check(destination);
        var from = Entry(source);
        var to = Entry(destination);
        Try(source, () =>
        {
            var fromInfo = new FileInfo(from);
            var isDirectory = fromInfo.LinkTarget is null && Directory.Exists(from);
            if (!isDirectory && !fromInfo.Exists && fromInfo.LinkTarget is null)
            {
                throw new FileNotFoundException();
            }

            var toInfo = new FileInfo(to);
            var toExists = toInfo.LinkTarget is not null || Path.Exists(to);
            if (toExists && !overwrite)
            {
                throw WorkspaceErrors.FromErrno(LinuxNative.EExist, destination);
            }

            if (isDirectory)
            {
                var fullFrom = Path.TrimEndingDirectorySeparator(from) + Path.DirectorySeparatorChar;
                if (Path.TrimEndingDirectorySeparator(to).StartsWith(fullFrom, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase))
                {
                    throw MoveInvalid(source, destination);
                }

                if (toExists)
                {
                    if (toInfo.LinkTarget is not null || !Directory.Exists(to))
                    {
                        throw WorkspaceErrors.FromErrno(LinuxNative.ENotDir, destination);
                    }

                    if (Directory.EnumerateFileSystemEntries(to).Any())
                    {
                        throw WorkspaceErrors.FromErrno(LinuxNative.ENotEmpty, destination);
                    }

                    Directory.Delete(to);
                }

                Directory.Move(from, to);
            }
            else
            {
                if (toExists && toInfo.LinkTarget is null && Directory.Exists(to))
                {
                    throw WorkspaceErrors.FromErrno(LinuxNative.EIsDir, destination);
                }

                File.Move(from, to, overwrite);
            }

            return 0;
        });
    }

    public override int DeleteContents(string? path, CancellationToken cancellationToken)
    {
        path = path is null ? null : Check(path);
        var shown = path ?? ".";
        return Try(shown, () =>
        {
            var full = path is null ? _root : Resolve(path);
            if (string.Equals(Path.GetPathRoot(full), Path.TrimEndingDirectorySeparator(full), StringComparison.OrdinalIgnoreCase)
                || string.Equals(Path.GetPathRoot(full), full, StringComparison.OrdinalIgnoreCase))
            {
                throw FileSystemRoot(shown);
            }

            if (!Directory.Exists(full))
            {
                throw File.Exists(full) ? WorkspaceErrors.FromErrno(LinuxNative.ENotDir, shown) : new DirectoryNotFoundException();
            }

            return DeleteIn(full, shown, 0, cancellationToken);
        });
    }

    public override WorkspaceEntry GetLinkInfo(string path)
    {
        path = Check(path);
        var full = Entry(path);
        return Try(path, () =>
        {
            var info = new FileInfo(full);
            if (info.LinkTarget is not null || (info.Exists && (info.Attributes & FileAttributes.ReparsePoint) != 0))
            {
                return new WorkspaceEntry(path, WorkspaceEntryKind.SymbolicLink, 0, info.LastWriteTimeUtc);
            }

            if (Directory.Exists(full))
            {
                return new WorkspaceEntry(path, WorkspaceEntryKind.Directory, 0, Directory.GetLastWriteTimeUtc(full));
            }

            return info.Exists
                ? new WorkspaceEntry(path, WorkspaceEntryKind.File, info.Length, info.LastWriteTimeUtc)
                : throw new FileNotFoundException();
        });
    }

    public override string ReadLink(string path)
    {
        path = Check(path);
        var full = Entry(path);
        return Try(path, () =>
        {
            var info = new FileInfo(full);
            if (info.LinkTarget is { } target)
            {
                return target;
            }

            return info.Exists || Directory.Exists(full) ? throw NotALink(path) : throw new FileNotFoundException();
        });
    }

    public override void Dispose()
    {
    }

    // The full path of the entry path names: its parent resolved (no link on the way), its own name not followed.
    private string Entry(string path)
    {
        var (parent, name) = WorkspacePath.Split(path);
        CheckName(path, name);
        return Try(path, () => Path.Join(parent.Length == 0 ? _root : Resolve(parent), name));
    }

    // Depth first; a link is deleted as a link, never entered.
    private static int DeleteIn(string full, string shown, int depth, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var info in new DirectoryInfo(full).EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var isLink = info.LinkTarget is not null || (info.Attributes & FileAttributes.ReparsePoint) != 0;
            if (!isLink && (info.Attributes & FileAttributes.Directory) != 0)
            {
                if (depth + 1 >= MaxDeleteDepth)
                {
                    throw TooDeep(shown);
                }

                deleted += DeleteIn(info.FullName, shown + "/" + info.Name, depth + 1, cancellationToken);
                Directory.Delete(info.FullName, recursive: false);
            }
            else if (isLink && (info.Attributes & FileAttributes.Directory) != 0)
            {
                Directory.Delete(info.FullName, recursive: false); // removes the link or junction, not its target
            }
            else
            {
                File.Delete(info.FullName);
            }

            deleted++;
        }

        return deleted;
    }

    private static int EnsureDirectory(string full)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
        }
        else
        {
            Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return 0;
    }

    // Names that do not exist yet are fine: the operation itself reports NotFound or creates them.
    // path is already checked; .NET's exceptions are left to the caller's Try.
    private string Resolve(string path)
    {
        if (!_confined)
        {
            return Path.GetFullPath(path, _root);
        }

        var current = _root;
        var names = WorkspacePath.Names(path);
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (i > 0 && File.Exists(current))
            {
                throw WorkspaceErrors.FromErrno(LinuxNative.ENotDir, path);
            }

            if (name == "..")
            {
                throw new WorkspaceAccessException(WorkspaceAccessReason.OutsideWorkspace, $"{WorkspacePath.Show(path)} uses '..'; paths must go down from the workspace root without '..'.");
            }

            CheckName(path, name);
            current = Path.Join(current, name);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null || (Path.Exists(current) && (File.GetAttributes(current) & FileAttributes.ReparsePoint) != 0))
            {
                throw new WorkspaceAccessException(WorkspaceAccessReason.SymbolicLink, $"{WorkspacePath.Show(path)} goes through a symbolic link or junction; on this system links in the workspace are not followed.");
            }
        }

        return current;
    }

    private static void CheckName(string path, string name)
    {
        if (OperatingSystem.IsWindows() && IsWindowsDeviceName(name))
        {
            throw new WorkspaceAccessException(WorkspaceAccessReason.InvalidPath, $"{WorkspacePath.Show(path)} uses a reserved Windows device name or ends a name in '.' or ' '.");
        }
    }

    private static bool IsWindowsDeviceName(string name)
    {
        if (name.EndsWith('.') || name.EndsWith(' '))
        {
            return true;
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var stem = (dot < 0 ? name : name[..dot]).TrimEnd(' ');
        return Array.Exists(s_windowsDeviceNames, d => string.Equals(d, stem, StringComparison.OrdinalIgnoreCase));
    }

    // Every .NET file-system exception becomes a WorkspaceAccessException with a reason and a message that
    // names only the caller's path (the .NET message holds the full one).
    private static T Try<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (WorkspaceErrors.FromException(ex, path) is { } error)
        {
            throw error;
        }
    }
}
