using System.Diagnostics;

namespace Hermes.Identity.Tests.Infrastructure;

// Real file-system faults for tests: a tmpfs that can be made read-only or full, and a file or folder the
// host's process may not write. Each helper skips the test, saying why, where the fault cannot be made.
internal static class FileSystemFaults
{
    /// <summary>Mounts a tmpfs of <paramref name="size"/> over <paramref name="folder"/> (Linux, root); skips otherwise.</summary>
    /// <returns>What unmounts it.</returns>
    public static Action MountTmpfs(string folder, string size, string what)
    {
        Directory.CreateDirectory(folder);
        Assert.SkipUnless(OperatingSystem.IsLinux() && Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder) == 0,
            $"Mounting a tmpfs needs Linux and root; {what} is not exercised here.");
        return () => Run("umount", folder);
    }

    /// <summary>Remounts the tmpfs at <paramref name="folder"/> read-only: writes then fail with EROFS.</summary>
    public static void RemountReadOnly(string folder) => Assert.Equal(0, Run("mount", "-o", "remount,ro", folder));

    /// <summary>
    /// Makes <paramref name="path"/> (a file or a folder) unwritable for this process: mode 0500/0400 (EACCES), or as
    /// root, whom modes do not stop, the immutable attribute (EPERM) where the file system has it. Skips where neither works.
    /// </summary>
    /// <returns>What undoes it.</returns>
    public static Action MakeUnwritable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("File modes and chattr are Unix tools; the permission case is not exercised on Windows.");
            return () => { };
        }

        var isFolder = Directory.Exists(path);
        var mode = File.GetUnixFileMode(path);
        File.SetUnixFileMode(path, isFolder ? UnixFileMode.UserRead | UnixFileMode.UserExecute : UnixFileMode.UserRead);
        if (!CanWrite(path, isFolder))
        {
            return () =>
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, mode);
                }
            };
        }

        File.SetUnixFileMode(path, mode);
        Assert.SkipUnless(Run("chattr", "+i", path) == 0, "Running as root, where modes do not stop writes, and chattr +i is not available or not supported by this file system.");
        if (!CanWrite(path, isFolder))
        {
            return () => Run("chattr", "-i", path);
        }

        Run("chattr", "-i", path);
        Assert.Skip("Neither file modes nor chattr +i stop writes here.");
        return () => { };
    }

    public static int Run(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private static bool CanWrite(string path, bool isFolder)
    {
        try
        {
            if (isFolder)
            {
                var probe = Path.Combine(path, ".probe");
                File.WriteAllText(probe, "");
                File.Delete(probe);
            }
            else
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
            }

            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
