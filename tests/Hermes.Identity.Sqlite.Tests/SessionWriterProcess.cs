using System.Globalization;

namespace Hermes.Identity.Sqlite.Tests;

// The SessionWriter child process: appends session messages through the public API and prints
// "ack <user id> <i>" after each commit. Reads the acks from its output.
internal sealed class SessionWriterProcess : IDisposable
{
    private readonly ChildProcess _child;

    private SessionWriterProcess(ChildProcess child) => _child = child;

    public static SessionWriterProcess Start(string root, int writer, int count, int batch, params string[] users) =>
        new(ChildProcess.Start(
            "Hermes.Identity.Sqlite.SessionWriter",
            root,
            writer.ToString(CultureInfo.InvariantCulture),
            count.ToString(CultureInfo.InvariantCulture),
            batch.ToString(CultureInfo.InvariantCulture),
            string.Join(',', users)));

    public Task FirstAck => _child.WaitForLineAsync(IsAck);

    public int ExitCode => _child.ExitCode;

    public IReadOnlyList<(string User, int Index)> Acks =>
        [.. _child.Lines.Where(IsAck).Select(line => line.Split(' ')).Select(parts => (parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture)))];

    public string Errors => _child.Errors;

    // SIGKILL on Unix (TerminateProcess on Windows): no chance to flush or clean up.
    public void Kill() => _child.Kill();

    // Waits for the exit and for the last output line to be read; the timeout only stops a hang.
    public Task WaitForExitAsync(TimeSpan timeout) => _child.WaitForExitAsync(timeout);

    public void Dispose() => _child.Dispose();

    private static bool IsAck(string line) => line.StartsWith("ack ", StringComparison.Ordinal);
}
