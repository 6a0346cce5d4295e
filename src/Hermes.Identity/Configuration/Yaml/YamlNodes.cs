namespace Hermes.Identity.Configuration.Yaml;

// A minimal, position-keeping tree built from YamlDotNet's parser events: no aliases, no
// type conversion, every scalar kept as the text the file holds (so 0123 stays "0123").
internal abstract record YNode(int Line, int Column);

internal sealed record YScalar(string Value, bool IsPlain, int Line, int Column) : YNode(Line, Column)
{
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record YSequence(IReadOnlyList<YNode> Items, int Line, int Column) : YNode(Line, Column);

internal sealed record YMapping(IReadOnlyList<KeyValuePair<YScalar, YNode>> Entries, int Line, int Column) : YNode(Line, Column);
