using System.Diagnostics;

namespace Hermes.Identity.TestSupport;

/// <summary>
/// A child process of the crash and multi-process tests: a console project that the test project references (so its
/// output is copied beside the tests), started with <c>dotnet exec</c>. Its standard output is read line by line as it
/// comes, so a test waits for a line it prints (a signal), never for a time; standard error is kept for failure messages.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly string _name;
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _errors = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Signal)> _waiters = [];
    private bool _outputEnded;

    private ChildProcess(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    /// <summary>Starts <paramref name="assemblyName"/>.dll from beside the tests with <paramref name="args"/>.</summary>
    public static ChildProcess Start(string assemblyName, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is missing: the test project must reference {assemblyName}, so that it is built and copied beside the tests.", dll);
        }

        return Launch(assemblyName, DotnetHost(), ["exec", dll, .. args]);
    }

    /// <summary>
    /// Starts <paramref name="program"/> (looked up on PATH) with <paramref name="args"/>: a process that is not .NET, such as
    /// python3 running a script that does what another program does to the same files.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program is not installed.</exception>
    public static ChildProcess StartProgram(string program, params string[] args) => Launch(Path.GetFileName(program), program, args);

    private static ChildProcess Launch(string name, string fileName, string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var child = new ChildProcess(name, new Process { StartInfo = start });
        child._process.OutputDataReceived += (_, e) => child.OnOutput(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.OnError(e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Every line of standard output read so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Standard error so far.</summary>
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

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// The first line of standard output that <paramref name="match"/> accepts, one read already included. Fails with the
    /// child's standard error if its output ends first, and as a hang after <see cref="HangGuard.Timeout"/>.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        var signal = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            foreach (var line in _lines)
            {
                if (match(line))
                {
                    return line;
                }
            }

            if (_outputEnded)
            {
                signal.SetException(Ended());
            }
            else
            {
                _waiters.Add((match, signal));
            }
        }

        try
        {
            return await signal.Task.WaitAsync(HangGuard.Timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_name} printed no awaited line within {HangGuard.Timeout}, taken for a hang. Standard error: {Errors}");
        }
    }

    /// <summary>Writes a line to the child's standard input: a signal to go on.</summary>
    public void SendLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>SIGKILL on Unix (TerminateProcess on Windows): no chance to flush or clean up.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Waits for the exit and for every line written before it to be read; <paramref name="hangGuard"/> (default <see cref="HangGuard.Timeout"/>) stops a hang.</summary>
    public async Task WaitForExitAsync(TimeSpan? hangGuard = null, CancellationToken cancellationToken = default)
    {
        var guard = hangGuard ?? HangGuard.Timeout;
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(guard, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_name} did not exit within {guard}, taken for a hang. Standard error: {Errors}");
        }

        _process.WaitForExit(); // the asynchronous readers have passed the last line
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // never started, or gone already
        }

        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        List<TaskCompletionSource<string>> done = [];
        Exception? ended = null;
        lock (_lines)
        {
            if (line is null)
            {
                _outputEnded = true;
                ended = Ended();
                done.AddRange(_waiters.Select(w => w.Signal));
                _waiters.Clear();
            }
            else
            {
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
                {
                    _waiters.Remove(waiter);
                    done.Add(waiter.Signal);
                }
            }
        }

        foreach (var signal in done)
        {
            if (ended is null)
            {
                signal.TrySetResult(line!);
            }
            else
            {
                signal.TrySetException(ended);
            }
        }
    }

    private void OnError(string? line)
    {
        if (line is not null)
        {
            lock (_errors)
            {
                _errors.Add(line);
            }
        }
    }

    private InvalidOperationException Ended() =>
        new($"{_name} closed its output without printing the awaited line. Standard error so far: {Errors}");

    // The dotnet host that runs these tests, so the child runs on the same runtime.
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        var candidate = root is null ? null : Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return candidate is not null && File.Exists(candidate) ? candidate : "dotnet";
    }
}
