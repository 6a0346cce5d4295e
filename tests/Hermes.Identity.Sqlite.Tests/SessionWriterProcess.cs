using System.Diagnostics;

namespace Hermes.Identity.Sqlite.Tests;

// The SessionWriter child process: appends session messages through the public API and prints
// "ack <user id> <i>" after each commit. Collects the acks and stderr.
internal sealed class SessionWriterProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<(string User, int Index)> _acks = [];
    private readonly List<string> _errors = [];
    private readonly TaskCompletionSource _firstAck = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SessionWriterProcess(Process process) => _process = process;

    public static SessionWriterProcess Start(string root, int writer, int count, int batch, params string[] users)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Hermes.Identity.Sqlite.SessionWriter.exe" : "Hermes.Identity.Sqlite.SessionWriter");
        var dll = Path.Combine(AppContext.BaseDirectory, "Hermes.Identity.Sqlite.SessionWriter.dll");
        var start = File.Exists(apphost) ? new ProcessStartInfo(apphost) : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { dll } };
        foreach (var arg in new[] { root, writer.ToString(System.Globalization.CultureInfo.InvariantCulture), count.ToString(System.Globalization.CultureInfo.InvariantCulture), batch.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(',', users) })
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = new Process { StartInfo = start };
        var child = new SessionWriterProcess(process);
        process.OutputDataReceived += (_, e) => child.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (child._errors)
                {
                    child._errors.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public Task FirstAck => _firstAck.Task;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<(string User, int Index)> Acks
    {
        get
        {
            lock (_acks)
            {
                return [.. _acks];
            }
        }
    }

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join('\n', _errors);
            }
        }
    }

    // SIGKILL on Unix (TerminateProcess on Windows): no chance to flush or clean up.
    public void Kill() => _process.Kill(entireProcessTree: true);

    // Waits for the exit and for the last output line to be read.
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null || !line.StartsWith("ack ", StringComparison.Ordinal))
        {
            return;
        }

        var parts = line.Split(' ');
        lock (_acks)
        {
            _acks.Add((parts[1], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)));
        }

        _firstAck.TrySetResult();
    }
}
