using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using static Hermes.Identity.Workspace.LinuxNative;

namespace Hermes.Identity.Workspace;

// The workspace on Linux: one handle on the root directory, and every path resolved by the kernel
// relative to it. The operation then acts on the descriptor the kernel returned, never on the
// path string again, so swapping a directory for a symbolic link mid-operation gains nothing.
internal sealed class LinuxWorkspaceFileSystem : WorkspaceFileSystem
{
    private const uint NewFileMode = 0x180; // 0600
    private const uint NewDirectoryMode = 0x1C0; // 0700
    private const int MaxRetries = 16;

    private static readonly Lazy<bool> s_openat2Works = new(ProbeOpenat2);

    private readonly SafeFileHandle _root;
    private readonly LinuxResolveMode _mode;

    private LinuxWorkspaceFileSystem(SafeFileHandle root, LinuxResolveMode mode, bool exactNames)
        : base(exactNames)
    {
        _root = root;
        _mode = mode;
    }

    /// <summary>Whether openat2 is available and allowed (seccomp filters in some containers answer EPERM or ENOSYS).</summary>
    public static bool Openat2Works => s_openat2Works.Value;

    public override bool IsConfined => _mode != LinuxResolveMode.Unconfined;

    public override string Mechanism => _mode switch
    {
        LinuxResolveMode.Openat2Beneath => "openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)",
        LinuxResolveMode.OpenatWalk => "openat(O_NOFOLLOW) walk",
        _ => "openat (unconfined)",
    };

    internal LinuxResolveMode Mode => _mode;

    /// <exception cref="WorkspaceAccessException">The folder could not be created or opened, or is a symbolic link.</exception>
    public static LinuxWorkspaceFileSystem Open(string root, LinuxResolveMode mode, bool exactNames = false)
    {
        if (mode == LinuxResolveMode.Openat2Beneath && !Openat2Works)
        {
            throw new PlatformNotSupportedException("openat2 is not available on this kernel or is blocked by a seccomp filter.");
        }

        EnsureRoot(root);
        // O_NOFOLLOW: the workspace folder itself must not be a symbolic link to somewhere else (ENOTDIR then).
        var fd = Retry(() => OpenAt(AtFdCwd, root, OPath | ODirectory | ONoFollow | OCloExec, 0));
        if (fd < 0)
        {
            throw WorkspaceErrors.ForRoot(Marshal.GetLastPInvokeError(), root);
        }

        return new LinuxWorkspaceFileSystem(new SafeFileHandle(fd, ownsHandle: true), mode, exactNames);
    }

    protected override SafeFileHandle OpenUnchecked(string path, WorkspaceFileMode mode)
    {
        // O_NONBLOCK so a FIFO cannot hang the open; O_NOCTTY so a terminal never becomes ours.
        // No O_TRUNC: OpenFile truncates only once the handle is known to be a regular file with one link.
        var flags = ONonBlock | ONoCtty | mode switch
        {
            WorkspaceFileMode.Read => ORdOnly,
            WorkspaceFileMode.CreateNew => OWrOnly | OCreat | OExcl,
            WorkspaceFileMode.Append => OWrOnly | OCreat | OAppend, // every write lands at the end, even two at once
            _ => OWrOnly | OCreat,
        };

        using var lease = new RootLease(_root);
        return new SafeFileHandle(Resolve(lease.Fd, path, flags, NewFileMode), ownsHandle: true);
    }

    protected override long CheckRegularFile(SafeFileHandle handle, string path)
    {
        if (FStat((int)handle.DangerousGetHandle(), out var stat) != 0)
        {
            throw Error(Marshal.GetLastPInvokeError(), path);
        }

        if (!stat.IsRegularFile)
        {
            throw NotARegularFile(path, stat.IsDirectory);
        }

        RefuseHardLinked(path, stat);
        return (long)stat.Size;
    }

    public override WorkspaceEntry GetInfo(string path)
    {
        path = Check(path);
        using var lease = new RootLease(_root);
        var fd = Resolve(lease.Fd, path, OPath, 0);
        try
        {
            if (FStat(fd, out var stat) != 0)
            {
                throw Error(Marshal.GetLastPInvokeError(), path);
            }

            if (stat.FileType == SIfLnk)
            {
                // Only the walk opens the last name with O_NOFOLLOW, and it follows no link.
                throw Error(ELoop, path);
            }

            RefuseHardLinked(path, stat);
            return Entry(path, stat);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    public override unsafe IReadOnlyList<WorkspaceEntry> List(string? path, int maxEntries)
    {
        if (path is not null)
        {
            path = Check(path);
        }

        using var lease = new RootLease(_root);
        var fd = Resolve(lease.Fd, path ?? ".", ORdOnly | ODirectory | ONonBlock, 0);
        try
        {
            var prefix = path is null ? string.Empty : path.TrimEnd('/') + "/";
            var entries = new List<WorkspaceEntry>();
            var buffer = new byte[32 * 1024];
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    var read = GetDents64(fd, p, (nuint)buffer.Length);
                    if (read < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == EIntr)
                        {
                            continue;
                        }

                        throw Error(errno, path ?? ".");
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[].
                    for (var offset = 0; offset < read;)
                    {
                        var recordLength = BitConverter.ToUInt16(buffer, offset + 16);
                        var nameStart = offset + 19;
                        var nameEnd = Array.IndexOf(buffer, (byte)0, nameStart, offset + recordLength - nameStart);
                        var name = Encoding.UTF8.GetString(buffer, nameStart, (nameEnd < 0 ? offset + recordLength : nameEnd) - nameStart);
                        offset += recordLength;
                        if (name is "." or "..")
                        {
                            continue;
                        }

                        // Not followed: a listed link is shown as a link, whatever it points to.
                        if (StatX(fd, name, AtSymlinkNoFollow, StatxBasicStats, out var stat) != 0)
                        {
                            continue; // removed since it was listed
                        }

                        if (entries.Count == maxEntries)
                        {
                            throw new WorkspaceAccessException(WorkspaceAccessReason.TooLarge, $"The directory has more than {maxEntries:N0} entries, the listing limit. List a folder further down.");
                        }

                        entries.Add(Entry(prefix + name, stat));
                    }
                }
            }

            entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            return entries;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    public override void Delete(string path)
    {
        path = Check(path);
        var (parent, name) = WorkspacePath.Split(path);
        using var lease = new RootLease(_root);
        // unlinkat acts on one entry of the parent the kernel resolved: a symbolic link is removed, never its target.
        WithDirectory(lease.Fd, parent, path, dirfd =>
        {
            if (UnlinkAt(dirfd, name, 0) == 0)
            {
                return;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EIsDir && UnlinkAt(dirfd, name, AtRemoveDir) == 0)
            {
                return;
            }

            errno = errno == EIsDir ? Marshal.GetLastPInvokeError() : errno;
            throw Error(errno, path);
        });
    }

    public override void CreateDirectory(string path)
    {
        path = Check(path);
        using var lease = new RootLease(_root);
        var trimmed = path.TrimEnd('/');
        // Each missing folder is made in its parent as the kernel resolves that parent from the root.
        for (var start = 0; start < trimmed.Length;)
        {
            var slash = trimmed.IndexOf('/', start);
            var end = slash < 0 ? trimmed.Length : slash;
            var name = trimmed[start..end];
            if (name.Length > 0 && name is not "." and not "..")
            {
                WithDirectory(lease.Fd, trimmed[..start], path, dirfd =>
                {
                    if (MkdirAt(dirfd, name, NewDirectoryMode) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != EExist)
                    {
                        throw Error(errno, path);
                    }
                });
            }

            start = end + 1;
        }

        var fd = Resolve(lease.Fd, trimmed.Length == 0 ? path : trimmed, OPath | ODirectory, 0);
        _ = Close(fd);
    }

    public override void Move(string source, string destination, bool overwrite)
    {
        source = Check(source);
        destination = Check(destination);
        var (fromParent, fromName) = WorkspacePath.Split(source);
        var (toParent, toName) = WorkspacePath.Split(destination);
        using var lease = new RootLease(_root);
        var root = lease.Fd;
        // renameat2 acts on one entry of each parent the kernel resolved from the root: the names themselves are not
        // followed, so a link moves as a link, and neither end can be a path outside the workspace.
        WithDirectory(root, fromParent, source, fromFd => WithDirectory(root, toParent, destination, toFd =>
        {
            int result;
            while ((result = RenameAt2(fromFd, fromName, toFd, toName, overwrite ? 0 : RenameNoReplace)) != 0 && Marshal.GetLastPInvokeError() == EIntr)
            {
            }

            if (result == 0)
            {
                return;
            }

            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                ENoEnt => Error(errno, source),
                EInval => MoveInvalid(source, destination),
                _ => Error(errno, destination),
            };
        }));
    }

    public override int DeleteContents(string? path, CancellationToken cancellationToken)
    {
        if (path is not null)
        {
            path = Check(path);
        }

        using var lease = new RootLease(_root);
        int fd;
        if (path is null)
        {
            var root = lease.Fd;
            fd = Retry(() => OpenAt(root, ".", ORdOnly | ODirectory | ONonBlock | OCloExec, 0));
            if (fd < 0)
            {
                throw Error(Marshal.GetLastPInvokeError(), ".");
            }
        }
        else
        {
            try
            {
                // O_NOFOLLOW: a link named here is not a folder to empty, wherever it points.
                // A trailing '/' would make the kernel follow a link named last, so it is dropped.
                var trimmed = path.TrimEnd('/');
                if (trimmed.Length == 0)
                {
                    throw FileSystemRoot(path); // only an unrestricted role can name '/'
                }

                fd = Resolve(lease.Fd, trimmed, ORdOnly | ODirectory | ONoFollow | ONonBlock, 0);
            }
            catch (WorkspaceAccessException ex) when (ex.Reason is WorkspaceAccessReason.SymbolicLink or WorkspaceAccessReason.NotADirectory
                && TryLinkInfo(lease.Fd, path) is { Kind: WorkspaceEntryKind.SymbolicLink })
            {
                throw new WorkspaceAccessException(WorkspaceAccessReason.SymbolicLink, $"{WorkspacePath.Show(path)} is a symbolic link, not a folder; links are never followed to delete what they point to. Delete the link itself instead.");
            }
        }

        try
        {
            // Whatever the spelling ('/.', '/tmp/..'), the root of the file system is never emptied (only an unrestricted
            // role can name it at all).
            if (!IsConfined && FStat(fd, out var folder) == 0 && StatX(AtFdCwd, "/", 0, StatxBasicStats, out var slash) == 0 && folder.IsSameFile(slash))
            {
                throw FileSystemRoot(path ?? ".");
            }

            return DeleteIn(fd, path ?? ".", path ?? ".", 0, cancellationToken);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    public override WorkspaceEntry GetLinkInfo(string path)
    {
        path = Check(path);
        using var lease = new RootLease(_root);
        return LinkInfo(lease.Fd, path);
    }

    public override string ReadLink(string path)
    {
        path = Check(path);
        var (parent, name) = WorkspacePath.Split(path);
        using var lease = new RootLease(_root);
        string? text = null;
        WithDirectory(lease.Fd, parent, path, dirfd =>
        {
            var buffer = new byte[WorkspacePath.MaxPathBytes + 1];
            var length = ReadLinkAt(dirfd, name, buffer, (nuint)buffer.Length);
            if (length < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw errno == EInval ? NotALink(path) : Error(errno, path);
            }

            text = Encoding.UTF8.GetString(buffer, 0, (int)length);
        });
        return text!;
    }

    public override void Dispose() => _root.Dispose();

    private WorkspaceEntry LinkInfo(int root, string path)
    {
        var (parent, name) = WorkspacePath.Split(path);
        WorkspaceEntry? entry = null;
        WithDirectory(root, parent, path, dirfd =>
        {
            // statx on the name in its resolved parent, AT_SYMLINK_NOFOLLOW: a link is described as a link.
            if (StatX(dirfd, name, AtSymlinkNoFollow, StatxBasicStats, out var stat) != 0)
            {
                throw Error(Marshal.GetLastPInvokeError(), path);
            }

            RefuseHardLinked(path, stat);
            entry = Entry(path, stat);
        });
        return entry!;
    }

    private WorkspaceEntry? TryLinkInfo(int root, string path)
    {
        try
        {
            return LinkInfo(root, path);
        }
        catch (WorkspaceAccessException)
        {
            return null;
        }
    }

    // Empties the folder open as dirfd. Every entry is named relative to a folder descriptor the kernel resolved, and
    // a subfolder is opened with O_NOFOLLOW from its parent's descriptor: swapping it for a link makes the open fail
    // (ELOOP), so nothing outside is ever entered. The names are read first and deleted after, a pass at a time.
    private int DeleteIn(int dirfd, string top, string shown, int depth, CancellationToken cancellationToken)
    {
        var deleted = 0;
        for (var pass = 0; ; pass++)
        {
            var names = ReadNames(dirfd, shown);
            if (names.Count == 0)
            {
                return deleted;
            }

            if (pass == 8)
            {
                throw new WorkspaceAccessException(WorkspaceAccessReason.DirectoryNotEmpty, $"{WorkspacePath.Show(shown)} kept getting new entries while it was being emptied; some are left. Try again once nothing else writes there.");
            }

            foreach (var name in names)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var child = shown + "/" + name;
                if (UnlinkAt(dirfd, name, 0) == 0)
                {
                    deleted++;
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == ENoEnt)
                {
                    continue;
                }

                if (errno != EIsDir)
                {
                    throw Error(errno, child);
                }

                if (depth + 1 >= MaxDeleteDepth)
                {
                    throw TooDeep(top);
                }

                var sub = Retry(() => OpenAt(dirfd, name, ORdOnly | ODirectory | ONoFollow | ONonBlock | OCloExec, 0));
                if (sub < 0)
                {
                    errno = Marshal.GetLastPInvokeError();
                    if (errno == ENoEnt)
                    {
                        continue;
                    }

                    throw Error(errno, child);
                }

                try
                {
                    deleted += DeleteIn(sub, top, child, depth + 1, cancellationToken);
                }
                finally
                {
                    _ = Close(sub);
                }

                if (UnlinkAt(dirfd, name, AtRemoveDir) == 0)
                {
                    deleted++;
                }
                else if (Marshal.GetLastPInvokeError() is var rmErrno && rmErrno != ENoEnt)
                {
                    throw Error(rmErrno, child);
                }
            }
        }
    }

    // The names in the folder open as fd, without "." and "..".
    private unsafe List<string> ReadNames(int fd, string path)
    {
        var names = new List<string>();
        var buffer = new byte[32 * 1024];
        fixed (byte* p = buffer)
        {
            // getdents64 continues from the descriptor's offset: start from the beginning on every pass.
            _ = LSeek(fd, 0, 0);
            while (true)
            {
                var read = GetDents64(fd, p, (nuint)buffer.Length);
                if (read < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EIntr)
                    {
                        continue;
                    }

                    throw Error(errno, path);
                }

                if (read == 0)
                {
                    return names;
                }

                for (var offset = 0; offset < read;)
                {
                    var recordLength = BitConverter.ToUInt16(buffer, offset + 16);
                    var nameStart = offset + 19;
                    var nameEnd = Array.IndexOf(buffer, (byte)0, nameStart, offset + recordLength - nameStart);
                    var name = Encoding.UTF8.GetString(buffer, nameStart, (nameEnd < 0 ? offset + recordLength : nameEnd) - nameStart);
                    offset += recordLength;
                    if (name is not "." and not "..")
                    {
                        names.Add(name);
                    }
                }
            }
        }
    }

    /// <summary>Resolves <paramref name="path"/> from the root and opens it; returns the descriptor or throws.</summary>
    internal int Resolve(int root, string path, int flags, uint mode)
    {
        flags |= OCloExec;
        switch (_mode)
        {
            case LinuxResolveMode.Openat2Beneath:
                for (var attempt = 0; ; attempt++)
                {
                    var fd = OpenAt2(root, path, flags, mode, ResolveBeneath | ResolveNoMagicLinks);
                    if (fd >= 0)
                    {
                        return fd;
                    }

                    // EAGAIN: a rename raced with a '..' and the kernel could not prove it stayed beneath; ask again.
                    var errno = Marshal.GetLastPInvokeError();
                    if ((errno != EAgain && errno != EIntr) || attempt == MaxRetries)
                    {
                        throw Error(errno, path);
                    }
                }

            case LinuxResolveMode.OpenatWalk:
                return Walk(root, path, flags, mode);

            default:
                var plain = Retry(() => OpenAt(root, path, flags, mode));
                return plain >= 0 ? plain : throw Error(Marshal.GetLastPInvokeError(), path);
        }
    }

    private int Walk(int root, string path, int flags, uint mode)
    {
        var names = WorkspacePath.Names(path);
        if (names.Contains(".."))
        {
            throw new WorkspaceAccessException(WorkspaceAccessReason.OutsideWorkspace, $"{WorkspacePath.Show(path)} uses '..'; on this system paths must go down from the workspace root without '..'.");
        }

        if (names.Count == 0)
        {
            var self = Retry(() => OpenAt(root, ".", flags, mode));
            return self >= 0 ? self : throw Error(Marshal.GetLastPInvokeError(), path);
        }

        var current = root;
        try
        {
            for (var i = 0; i < names.Count - 1; i++)
            {
                var dir = current;
                var next = Retry(() => OpenAt(dir, names[i], OPath | ODirectory | ONoFollow | OCloExec, 0));
                if (next < 0)
                {
                    throw WalkError(Marshal.GetLastPInvokeError(), current, names[i], path);
                }

                if (current != root)
                {
                    _ = Close(current);
                }

                current = next;
            }

            var last = current;
            var fd = Retry(() => OpenAt(last, names[^1], flags | ONoFollow, mode));
            return fd >= 0 ? fd : throw WalkError(Marshal.GetLastPInvokeError(), current, names[^1], path);
        }
        finally
        {
            if (current != root)
            {
                _ = Close(current);
            }
        }
    }

    // O_NOFOLLOW with O_DIRECTORY answers ENOTDIR for a link; say "symbolic link" when that is what it was.
    private WorkspaceAccessException WalkError(int errno, int dirfd, string name, string path) =>
        errno == ENotDir && StatX(dirfd, name, AtSymlinkNoFollow, StatxBasicStats, out var stat) == 0 && stat.FileType == SIfLnk
            ? Error(ELoop, path)
            : Error(errno, path);

    private void WithDirectory(int root, string parent, string path, Action<int> action)
    {
        if (parent.Length == 0)
        {
            action(root);
            return;
        }

        var fd = Resolve(root, parent, OPath | ODirectory, 0);
        try
        {
            action(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private WorkspaceAccessException Error(int errno, string path) => WorkspaceErrors.FromErrno(errno, path, linksRefused: _mode == LinuxResolveMode.OpenatWalk);

    private static int Retry(Func<int> call)
    {
        int result;
        while ((result = call()) < 0 && Marshal.GetLastPInvokeError() == EIntr)
        {
        }

        return result;
    }

    // A second hard link may be a name outside the workspace for the same file (no resolution can see that).
    private void RefuseHardLinked(string path, in Statx stat)
    {
        if (IsConfined && stat.IsRegularFile && stat.HardLinks > 1)
        {
            throw new WorkspaceAccessException(WorkspaceAccessReason.OutsideWorkspace, $"{WorkspacePath.Show(path)} has more than one hard link, so it may be a file outside the workspace; it is not served.");
        }
    }

    private static WorkspaceEntry Entry(string path, in Statx stat)
    {
        var kind = stat.FileType switch
        {
            SIfReg => WorkspaceEntryKind.File,
            SIfDir => WorkspaceEntryKind.Directory,
            SIfLnk => WorkspaceEntryKind.SymbolicLink,
            _ => WorkspaceEntryKind.Other,
        };
        return new WorkspaceEntry(path, kind, kind == WorkspaceEntryKind.File ? (long)stat.Size : 0, stat.ModifiedAt);
    }

    private static bool ProbeOpenat2()
    {
        var slash = OpenAt(AtFdCwd, "/", OPath | ODirectory | OCloExec, 0);
        if (slash < 0)
        {
            return false;
        }

        try
        {
            var fd = OpenAt2(slash, ".", OPath | ODirectory | OCloExec, 0, ResolveBeneath | ResolveNoMagicLinks);
            if (fd >= 0)
            {
                _ = Close(fd);
                return true;
            }

            return Marshal.GetLastPInvokeError() is not (ENoSys or EPerm);
        }
        finally
        {
            _ = Close(slash);
        }
    }

    // Holds a reference on the root handle for one operation, so a concurrent Dispose cannot close
    // the descriptor (and let the number be reused) while a system call still uses it.
    private readonly ref struct RootLease
    {
        private readonly SafeFileHandle _handle;

        public RootLease(SafeFileHandle handle)
        {
            var added = false;
            handle.DangerousAddRef(ref added);
            _handle = handle;
            Fd = (int)handle.DangerousGetHandle();
        }

        public int Fd { get; }

        public void Dispose() => _handle.DangerousRelease();
    }
}
