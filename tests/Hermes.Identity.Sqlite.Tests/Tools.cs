using System.Diagnostics;

namespace Hermes.Identity.Sqlite.Tests;

// Real tools the fault tests use: cp and mv as an operator would, mount for a small or read-only file system.
internal static class Tools
{
    // Runs file with args; the exit code, or -1 when the tool is not there.
    public static int Run(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit(30_000);
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    public static bool IsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    // A tmpfs of the given options (e.g. "size=512k") mounted on folder, or null where the tests may not mount
    // (not Linux, not root, no mount tool). Dispose detaches it (lazily, so open files do not block it).
    public static IDisposable? TryMountTmpfs(string folder, string options)
    {
        Directory.CreateDirectory(folder);
        return OperatingSystem.IsLinux() && Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", folder) == 0 ? new Mount(folder) : null;
    }

    public static bool Remount(string folder, string options) => Run("mount", "-o", "remount," + options, folder) == 0;

    private sealed class Mount(string folder) : IDisposable
    {
        public void Dispose() => Run("umount", "-l", folder);
    }
}
