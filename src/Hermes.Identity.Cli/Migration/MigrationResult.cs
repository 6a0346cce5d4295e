namespace Hermes.Identity.Cli.Migration;

/// <summary>What applying a migration wrote.</summary>
internal sealed class MigrationResult
{
    public Dictionary<string, int> SessionsByProfile { get; } = new(StringComparer.Ordinal);

    public int Messages { get; set; }

    public int ToolCalls { get; set; }

    public int MessagesSkipped { get; set; }

    public int NotesImported { get; set; }

    public int UserImported { get; set; }

    public List<string> MemoryRefused { get; } = [];

    public string? ReportFile { get; set; }

    public bool WroteIdentities { get; set; }
}
