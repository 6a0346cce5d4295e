using System.Diagnostics;
using System.Globalization;

namespace Hermes.Identity.TestSupport;

/// <summary>
/// A real, throwaway PostgreSQL server: <c>initdb</c> in a fresh temp folder and <c>pg_ctl start</c> listening on a Unix
/// socket in that folder only (<c>listen_addresses=''</c>, no TCP port), stopped and deleted on dispose. No Docker.
/// The binaries are Debian's (<c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, the newest found) or those in
/// <c>HERMES_PG_BIN</c>. initdb refuses to run as root, so as root the server runs as the <c>postgres</c> user
/// (<c>runuser -u postgres</c>) and the folder is handed to it.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string User = "hermes";
    private readonly string _bin;
    private readonly string _data;
    private bool _stopped = true;

    private PostgresServer(string bin, TempDirectory folder)
    {
        _bin = bin;
        Folder = folder;
        _data = folder.Combine("data");
    }

    /// <summary>The folder that holds the cluster (<c>data/</c>), its log and its socket.</summary>
    public TempDirectory Folder { get; }

    /// <summary>A connection string to the server's <c>postgres</c> database over the socket, as the cluster's superuser.</summary>
    public string ConnectionString => $"Host={Folder.Path};Port=5432;Username={User};Database=postgres;Timeout=15;Command Timeout=60";

    /// <summary>Whether the environment demands a server (<c>HERMES_REQUIRE_POSTGRES=1</c>, as CI sets it): tests fail instead of skipping.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("HERMES_REQUIRE_POSTGRES") == "1";

    /// <summary>A fresh schema name: each test keeps its tables apart in the one server.</summary>
    public static string NewSchema() => "t" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>Makes a cluster in a new temp folder and starts it; throws with the reason when it cannot.</summary>
    public static async Task<PostgresServer> StartNewAsync()
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "No PostgreSQL server binaries were found (looked in HERMES_PG_BIN and /usr/lib/postgresql/*/bin). Install postgresql-15 and postgresql-contrib-15.");
        var folder = new TempDirectory("pg");
        var server = new PostgresServer(bin, folder);
        try
        {
            if (IsRoot())
            {
                await RunAsync("chown", ["-R", "postgres:postgres", folder.Path]).ConfigureAwait(false);
            }

            await server.RunServerToolAsync("initdb", ["-D", server._data, "-U", User, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]).ConfigureAwait(false);
            await server.StartAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts the server (again) on the same folder, and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        await RunServerToolAsync("pg_ctl", ["-D", _data, "-l", Folder.Combine("server.log"), "-w", "-t", "60", "-o", $"-c listen_addresses='' -k {Folder.Path} -c max_connections=200 -c fsync=off -c full_page_writes=off", "start"]).ConfigureAwait(false);
        _stopped = false;
    }

    /// <summary>Stops the server: <c>fast</c> (clients disconnected, clean shutdown) or <c>immediate</c> (a crash; WAL recovery at the next start).</summary>
    public async Task StopAsync(string mode = "fast")
    {
        await RunServerToolAsync("pg_ctl", ["-D", _data, "-m", mode, "-w", "-t", "60", "stop"]).ConfigureAwait(false);
        _stopped = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            try
            {
                await StopAsync("immediate").ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Already gone: the folder is deleted anyway.
            }
        }

        Folder.Dispose();
    }

    private static string? FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("HERMES_PG_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(Path.Combine(configured, "initdb")) ? configured : null;
        }

        const string debian = "/usr/lib/postgresql";
        if (!Directory.Exists(debian))
        {
            return null;
        }

        return Directory.EnumerateDirectories(debian)
            .Select(dir => (Dir: dir, Version: int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.Dir, "bin", "initdb")) && File.Exists(Path.Combine(x.Dir, "bin", "pg_ctl")))
            .OrderByDescending(x => x.Version)
            .Select(x => Path.Combine(x.Dir, "bin"))
            .FirstOrDefault();
    }

    private static bool IsRoot()
    {
        try
        {
            return File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
        }
        catch (IOException)
        {
            return false;
        }
    }

    private Task RunServerToolAsync(string tool, string[] args)
    {
        var path = Path.Combine(_bin, tool);
        return IsRoot() ? RunAsync("runuser", ["-u", "postgres", "--", path, .. args]) : RunAsync(path, args);
    }

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(HangGuard.Timeout).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await error.ConfigureAwait(false)} {await output.ConfigureAwait(false)}".Trim());
        }
    }
}
