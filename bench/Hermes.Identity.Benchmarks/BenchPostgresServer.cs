using System.Diagnostics;
using System.Globalization;

namespace Hermes.Identity.Benchmarks;

// A real PostgreSQL server for the benchmarks, the way tests/Hermes.Identity.TestSupport's PostgresServer starts one
// (the bench does not reference the test projects, so this is the minimal copy): initdb and pg_ctl from Debian's
// /usr/lib/postgresql/<newest>/bin (or HERMES_PG_BIN), listening on a Unix socket in its folder only, no TCP port; as
// root the server runs as the postgres user (initdb refuses root). Unlike the tests' server, the cluster lives in a
// kept folder (the seeded data is reused by later runs) and runs with fsync on, as a production server would: an
// append's latency includes its WAL flush.
internal sealed class BenchPostgresServer : IDisposable
{
    private const string User = "hermes";
    private readonly string _bin;
    private readonly string _data;

    private BenchPostgresServer(string bin, string folder)
    {
        _bin = bin;
        Folder = folder;
        _data = Path.Combine(folder, "data");
    }

    public string Folder { get; }

    public string ConnectionString => $"Host={Folder};Port=5432;Username={User};Database=postgres;Timeout=30;Command Timeout=3600;Maximum Pool Size=32";

    // Starts the cluster in folder (made with initdb the first time).
    public static BenchPostgresServer Start(string folder)
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "No PostgreSQL server binaries were found (looked in HERMES_PG_BIN and /usr/lib/postgresql/*/bin). Install postgresql-15 and postgresql-contrib-15 (apt-get install postgresql-15 postgresql-contrib-15).");
        Directory.CreateDirectory(folder);
        var server = new BenchPostgresServer(bin, folder);
        if (IsRoot())
        {
            Run("chown", ["-R", "postgres:postgres", folder]);
        }

        if (!File.Exists(Path.Combine(server._data, "PG_VERSION")))
        {
            if (Directory.Exists(server._data))
            {
                Directory.Delete(server._data, recursive: true);
            }

            server.RunServerTool("initdb", ["-D", server._data, "-U", User, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]);
        }

        // A server left running by a killed run: stop it first.
        if (File.Exists(Path.Combine(server._data, "postmaster.pid")))
        {
            try
            {
                server.RunServerTool("pg_ctl", ["-D", server._data, "-m", "fast", "-w", "-t", "60", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Not running after all (a stale pid file): pg_ctl start copes with it.
            }
        }

        server.RunServerTool("pg_ctl", ["-D", server._data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "120", "-o",
            $"-c listen_addresses='' -k {folder} -c max_connections=100 -c shared_buffers=256MB -c maintenance_work_mem=512MB -c max_wal_size=4GB -c checkpoint_timeout=30min", "start"]);
        return server;
    }

    public void Dispose() => RunServerTool("pg_ctl", ["-D", _data, "-m", "fast", "-w", "-t", "120", "stop"]);

    private static string? FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("HERMES_PG_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(Path.Combine(configured, "initdb")) ? configured : null;
        }

        const string debian = "/usr/lib/postgresql";
        return !Directory.Exists(debian) ? null : Directory.EnumerateDirectories(debian)
            .Select(dir => (Dir: dir, Version: int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.Dir, "bin", "initdb")) && File.Exists(Path.Combine(x.Dir, "bin", "pg_ctl")))
            .OrderByDescending(x => x.Version)
            .Select(x => Path.Combine(x.Dir, "bin"))
            .FirstOrDefault();
    }

    private static bool IsRoot() =>
        File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");

    private void RunServerTool(string tool, string[] args)
    {
        var path = Path.Combine(_bin, tool);
        if (IsRoot())
        {
            Run("runuser", ["-u", "postgres", "--", path, .. args]);
        }
        else
        {
            Run(path, args);
        }
    }

    private static void Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish within 5 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {error.Result} {output.Result}".Trim());
        }
    }
}
