using System.Globalization;
using System.Text.Json;

namespace Hermes.Identity.Cli.Migration;

/// <summary>
/// Whether Hermes's gateway runs on a home: it writes its process id to <c>gateway.pid</c> in the home (a number, or in
/// newer versions a JSON object with <c>pid</c>), and some versions under <c>run/gateway.pid</c>. A pid file whose process
/// is alive means the gateway runs; a stale file (no such process) does not.
/// </summary>
internal static class GatewayProbe
{
    public static readonly string[] PidFiles = ["gateway.pid", Path.Combine("run", "gateway.pid")];

    /// <summary>A description of the running gateway, or <see langword="null"/>.</summary>
    public static string? FindRunning(string home)
    {
        foreach (var relative in PidFiles)
        {
            var file = Path.Combine(home, relative);
            if (!File.Exists(file))
            {
                continue;
            }

            if (ReadPid(File.ReadAllText(file)) is { } pid && IsAlive(pid))
            {
                return $"{file} names process {pid}, which is running";
            }
        }

        return null;
    }

    internal static int? ReadPid(string text)
    {
        text = text.Trim();
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var plain))
        {
            return plain;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("pid", out var pid) && pid.TryGetInt32(out var value))
            {
                return value;
            }
        }
        catch (JsonException)
        {
            // Not a pid file we know: treated as no gateway, and said so in the report by the caller if needed.
        }

        return null;
    }

    private static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        if (OperatingSystem.IsLinux())
        {
            // A zombie has exited: /proc/<pid>/stat's third field is Z.
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
            {
                return false;
            }

            var text = File.ReadAllText(stat);
            var close = text.LastIndexOf(')');
            return close < 0 || close + 2 >= text.Length || text[close + 2] != 'Z';
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
