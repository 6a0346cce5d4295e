using System.Runtime.InteropServices;

namespace Hermes.Identity.Tests.Configuration;

// A Kubernetes ConfigMap volume, laid out and updated the way the kubelet's atomic writer does it:
//   <folder>/identities.yaml -> ..data/identities.yaml
//   <folder>/..data -> ..2026_11_29_10_00_00.123
// An update writes a new timestamped folder, points a new `..data_tmp` link at it, renames `..data_tmp`
// over `..data` (one atomic rename(2)), then deletes the old folder.
internal sealed class ConfigMapMount(string folder)
{
    private string? _current;

    public string Folder { get; } = folder;

    public string File => Path.Combine(Folder, "identities.yaml");

    public void Update(string timestamped, string content)
    {
        Directory.CreateDirectory(Folder);
        var next = Path.Combine(Folder, timestamped);
        Directory.CreateDirectory(next);
        System.IO.File.WriteAllText(Path.Combine(next, "identities.yaml"), content);

        var tmp = Path.Combine(Folder, "..data_tmp");
        System.IO.File.CreateSymbolicLink(tmp, timestamped);
        // File.Move refuses a link to a folder, so call rename(2) as the kubelet does.
        if (rename(tmp, Path.Combine(Folder, "..data")) != 0)
        {
            throw new IOException($"rename failed: errno {Marshal.GetLastPInvokeError()}");
        }

        if (new FileInfo(Path.Combine(Folder, "..data")).LinkTarget != timestamped)
        {
            throw new InvalidOperationException("..data_tmp was not renamed over ..data: the layout under test is not the kubelet's.");
        }

        if (!System.IO.File.Exists(File))
        {
            System.IO.File.CreateSymbolicLink(File, "..data/identities.yaml");
        }

        if (_current is not null)
        {
            Directory.Delete(Path.Combine(Folder, _current), recursive: true);
        }

        _current = timestamped;
    }

    private static int rename(string oldPath, string newPath) => rename(CString(oldPath), CString(newPath));

    private static byte[] CString(string path) => System.Text.Encoding.UTF8.GetBytes(path + "\0");

    [DllImport("libc", SetLastError = true)]
    private static extern int rename(byte[] oldPath, byte[] newPath);
}
