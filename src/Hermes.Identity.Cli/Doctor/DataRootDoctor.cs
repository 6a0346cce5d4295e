using System.Globalization;
using Hermes.Identity.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Cli.Doctor;

/// <summary>
/// The checks of <c>doctor</c>, on the data root's files as they are (nothing is changed): permissions, identities.yaml
/// (valid, behind symbolic links), stale temporary files, every SQLite database's integrity (and a Hermes state.db where a
/// profile's database should be), and the bound on open databases against the file limit.
/// </summary>
internal sealed class DataRootDoctor
{
    /// <summary>A temporary file older than this is left over from a crash, not a write in progress.</summary>
    internal static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _root;
    private readonly int _maxOpenDatabases;
    private readonly DateTimeOffset _now;
    private readonly List<DoctorFinding> _findings = [];

    public DataRootDoctor(string root, int maxOpenDatabases, DateTimeOffset now)
    {
        _root = root;
        _maxOpenDatabases = maxOpenDatabases;
        _now = now;
    }

    public static int DefaultMaxOpenDatabases => new SqliteSessionOptions().MaxOpenDatabases;

    public IReadOnlyList<DoctorFinding> Run()
    {
        if (!Directory.Exists(_root))
        {
            Add("root", DoctorStatus.Failure, $"{_root} does not exist or is not a folder. Run from the data root or pass --root DIR.");
            return _findings;
        }

        CheckPermissions();
        var profiles = CheckIdentities();
        CheckTempFiles();
        CheckDatabases(profiles);
        CheckFileLimit();
        return _findings;
    }

    private void Add(string check, DoctorStatus status, string detail) => _findings.Add(new DoctorFinding(check, status, detail));

    private void CheckPermissions()
    {
        if (OperatingSystem.IsWindows())
        {
            Add("permissions", DoctorStatus.Ok, "Not checked on Windows (no Unix modes).");
            return;
        }

        var problems = 0;
        var rootMode = File.GetUnixFileMode(_root);
        if ((rootMode & UnixFileMode.OtherWrite) != 0)
        {
            Add("permissions", DoctorStatus.Failure, $"{_root} is writable by every user ({Mode(rootMode)}): anyone could replace identities.yaml or a profile's files. chmod o-w it.");
            problems++;
        }

        foreach (var name in new[] { "agents", "memories", "workspaces", "state", "audit" })
        {
            var folder = Path.Combine(_root, name);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            var mode = File.GetUnixFileMode(folder);
            if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            {
                Add("permissions", name == "state" ? DoctorStatus.Failure : DoctorStatus.Warning, $"{folder} is open to every user ({Mode(mode)}): people's data should be readable by the host's user only. chmod o-rwx it.");
                problems++;
            }
        }

        var key = Path.Combine(_root, "state", "delegation.key");
        if (File.Exists(key) && (File.GetUnixFileMode(key) & GroupOrOthers) != 0)
        {
            Add("permissions", DoctorStatus.Failure, $"{key} is readable by others ({Mode(File.GetUnixFileMode(key))}): whoever reads it can forge delegations. chmod 600 it.");
            problems++;
        }

        if (problems == 0)
        {
            Add("permissions", DoctorStatus.Ok, "The data root and its folders are not open to other users.");
        }
    }

    private IReadOnlyCollection<string>? CheckIdentities()
    {
        var file = Path.Combine(_root, "identities.yaml");
        var info = new FileInfo(file);
        if (!info.Exists && info.LinkTarget is null)
        {
            Add("identities", DoctorStatus.Failure, $"{file} does not exist: the host refuses to start. Write it (README, identities.yaml) or migrate a Hermes home.");
            return null;
        }

        if (info.LinkTarget is not null)
        {
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists)
            {
                Add("identities", DoctorStatus.Failure, $"{file} is a symbolic link to {info.LinkTarget}, which does not exist: the host keeps the last good snapshot, or refuses to start. Fix the link.");
                return null;
            }

            Add("identities-link", DoctorStatus.Warning, $"{file} is behind a symbolic link ({info.LinkTarget} -> {target.FullName}). Reloads follow the link; check that only the host's user can change {target.FullName} and every folder the link goes through.");
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(target.FullName) & UnixFileMode.OtherWrite) != 0)
            {
                Add("identities", DoctorStatus.Failure, $"{target.FullName} is writable by every user: anyone could make themselves owner. chmod o-w it.");
            }
        }
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & UnixFileMode.OtherWrite) != 0)
        {
            Add("identities", DoctorStatus.Failure, $"{file} is writable by every user: anyone could make themselves owner. chmod o-w it.");
        }

        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _root);
        using var provider = services.BuildServiceProvider();
        try
        {
            var snapshot = provider.GetRequiredService<IIdentitySnapshotProvider>().Current;
            Add("identities", DoctorStatus.Ok, $"identities.yaml is valid (revision {snapshot.Revision}, {snapshot.Profiles.Count} profile(s)).");
            return [.. snapshot.Profiles.Keys];
        }
        catch (IdentityConfigException ex)
        {
            Add("identities", DoctorStatus.Failure, $"identities.yaml has {ex.Errors.Count} error(s), the first: {ex.Errors[0]}. Run 'hermes-identity validate' for all of them.");
            return null;
        }
    }

    private void CheckTempFiles()
    {
        var stale = new List<string>();
        foreach (var name in new[] { "memories", "state", "audit" })
        {
            var folder = Path.Combine(_root, name);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder, "*.tmp", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true, MaxRecursionDepth = 3 }))
            {
                if (_now - File.GetLastWriteTimeUtc(file) > StaleAfter)
                {
                    stale.Add(Path.GetRelativePath(_root, file));
                }
            }
        }

        foreach (var file in Directory.EnumerateFiles(_root, "identities.yaml.*"))
        {
            if (_now - File.GetLastWriteTimeUtc(file) > StaleAfter && (file.EndsWith(".tmp", StringComparison.Ordinal) || file.EndsWith(".new", StringComparison.Ordinal)))
            {
                stale.Add(Path.GetRelativePath(_root, file));
            }
        }

        stale.Sort(StringComparer.Ordinal);
        Add("temp-files", stale.Count == 0 ? DoctorStatus.Ok : DoctorStatus.Warning, stale.Count == 0
            ? "No temporary file left over from an interrupted write."
            : $"{stale.Count} temporary file(s) older than {StaleAfter.TotalHours:0} h, left by interrupted writes (the committed files are intact): {string.Join(", ", stale)}. Delete them while the host is stopped.");
    }

    private void CheckDatabases(IReadOnlyCollection<string>? profiles)
    {
        var databases = new List<string>();
        var agents = Path.Combine(_root, "agents");
        if (Directory.Exists(agents))
        {
            foreach (var folder in Directory.EnumerateDirectories(agents).Order(StringComparer.Ordinal))
            {
                var db = Path.Combine(folder, "state.db");
                if (File.Exists(db))
                {
                    databases.Add(db);
                }

                var key = Path.GetFileName(folder);
                if (profiles is not null && !profiles.Contains(key) && !key.StartsWith("guest-", StringComparison.Ordinal))
                {
                    Add("profiles", DoctorStatus.Warning, $"agents/{key} belongs to no profile of identities.yaml: a removed person's data? Export or erase it, or add the profile back.");
                }
            }
        }

        var state = Path.Combine(_root, "state", "identity.db");
        if (File.Exists(state))
        {
            databases.Add(state);
        }

        foreach (var db in databases)
        {
            var shown = Path.GetRelativePath(_root, db);
            try
            {
                using var connection = SqliteFiles.OpenReadOnly(db);
                if (db != state && SqliteFiles.IsHermesStateDatabase(connection))
                {
                    var key = Path.GetFileName(Path.GetDirectoryName(db)!);
                    Add("database", DoctorStatus.Failure, $"{shown} is a Hermes Agent state.db, not a profile database: the library refuses it. Move it away and import it with 'hermes-identity migrate hermes <HERMES_HOME> --owner {key}'.");
                    continue;
                }

                var result = SqliteFiles.IntegrityCheck(connection);
                Add("database", result == "ok" ? DoctorStatus.Ok : DoctorStatus.Failure, result == "ok"
                    ? $"{shown}: integrity_check ok."
                    : $"{shown}: integrity_check found damage ({result}). Stop the host and restore the file from a backup (docs/sessions.md).");
            }
            catch (SqliteException ex)
            {
                Add("database", DoctorStatus.Failure, $"{shown} cannot be read as a SQLite database ({ex.Message.TrimEnd('.')}). Restore it from a backup or move it away.");
            }
        }

        if (databases.Count == 0)
        {
            Add("database", DoctorStatus.Ok, "No database yet.");
        }
    }

    private void CheckFileLimit()
    {
        var limit = OpenFileLimit();
        // Each open profile database holds three descriptors (the file, -wal, -shm); the state store three more;
        // the host needs some for its sockets, logs and the files it reads.
        var needed = (3 * _maxOpenDatabases) + 3 + 64;
        if (limit is null)
        {
            Add("file-limit", DoctorStatus.Ok, $"The open-file limit cannot be read here; MaxOpenDatabases = {_maxOpenDatabases} needs about {needed}.");
            return;
        }

        Add("file-limit", limit >= needed ? DoctorStatus.Ok : DoctorStatus.Failure, limit >= needed
            ? $"MaxOpenDatabases = {_maxOpenDatabases} needs about {needed} open files; this process may open {limit}."
            : $"MaxOpenDatabases = {_maxOpenDatabases} needs about {needed} open files, but this process may open only {limit}: the host fails with 'too many open files' under load. Raise the limit (ulimit -n, LimitNOFILE= in the service unit) or lower SqliteSessionOptions.MaxOpenDatabases (--max-open-databases to check a value).");
    }

    private static long? OpenFileLimit()
    {
        const string limits = "/proc/self/limits";
        if (!File.Exists(limits))
        {
            return null;
        }

        foreach (var line in File.ReadLines(limits))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length > 0 && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var soft) ? soft : null;
            }
        }

        return null;
    }

    private static string Mode(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
