using System.Diagnostics;
using System.Text;
using Hermes.Identity.Workspace;
using Microsoft.Win32.SafeHandles;

namespace Hermes.Identity.Tests.Workspace;

// A real data root on disk, laid out as SECURITY.md §2 describes:
//   <root>/secret.txt, <root>/workspaces/secret.txt, <root>/workspaces/x  (outside, one and two levels up)
//   <root>/workspaces/mei/                 the workspace under test
//   <root>/workspaces/mei-evil/x           the sibling whose name shares the prefix
//   <root>/workspaces/louis/notes.txt      another person's files
// Every outside file holds OutsideText, so a test can prove that not one byte of it came back.
internal sealed class WorkspaceTree : IDisposable
{
    public const string OutsideText = "OUTSIDE-SECRET-7f3a";

    public WorkspaceTree()
    {
        Folder = new TempDirectory("ws");
        Root = Folder.Path;
        Workspaces = Path.Combine(Root, "workspaces");
        Mei = Path.Combine(Workspaces, "mei");
        Louis = Path.Combine(Workspaces, "louis");
        Directory.CreateDirectory(Mei);
        Directory.CreateDirectory(Louis);
        Directory.CreateDirectory(Path.Combine(Workspaces, "mei-evil"));
        File.WriteAllText(Path.Combine(Root, "secret.txt"), OutsideText);
        File.WriteAllText(Path.Combine(Workspaces, "secret.txt"), OutsideText);
        File.WriteAllText(Path.Combine(Workspaces, "x"), OutsideText);
        File.WriteAllText(Path.Combine(Workspaces, "mei-evil", "x"), OutsideText);
        File.WriteAllText(Path.Combine(Louis, "notes.txt"), OutsideText);
        Directory.CreateDirectory(Path.Combine(Mei, "notes"));
        File.WriteAllText(Path.Combine(Mei, "notes", "a.txt"), "inside");
    }

    public TempDirectory Folder { get; }

    public string Root { get; }

    public string Workspaces { get; }

    /// <summary>The workspace under test.</summary>
    public string Mei { get; }

    public string Louis { get; }

    public string InMei(string relative) => Path.Combine(Mei, relative);

    public void Link(string relative, string target) => File.CreateSymbolicLink(InMei(relative), target);

    /// <summary>Every file under the root outside the workspace, with its content: compare before and after.</summary>
    public Dictionary<string, string> OutsideFiles() => Directory
        .EnumerateFiles(Root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
        .Where(f => !f.StartsWith(Mei + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        .ToDictionary(f => f, File.ReadAllText);

    public static string Read(WorkspaceFileSystem fs, string path)
    {
        using var handle = fs.OpenFile(path, WorkspaceFileMode.Read);
        return ReadHandle(handle);
    }

    public static string ReadHandle(SafeFileHandle handle)
    {
        var buffer = new byte[4096];
        var n = RandomAccess.Read(handle, buffer, 0);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    public static void Write(WorkspaceFileSystem fs, string path, string text, WorkspaceFileMode mode = WorkspaceFileMode.CreateOrTruncate)
    {
        using var handle = fs.OpenFile(path, mode);
        RandomAccess.Write(handle, Encoding.UTF8.GetBytes(text), 0);
    }

    /// <summary>Runs a tool such as mkfifo; false if it is missing or fails (not root, say).</summary>
    public static bool Run(string tool, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }

            using var p = Process.Start(start)!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public void Dispose() => Folder.Dispose();
}
