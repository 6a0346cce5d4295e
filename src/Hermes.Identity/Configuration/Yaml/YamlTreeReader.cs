using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Hermes.Identity.Configuration.Yaml;

// Reads one YAML document into YNodes, refusing what an identities file never needs and an
// attacker would use: anchors and aliases (alias bombs), deep nesting, huge event counts.
internal static class YamlTreeReader
{
    public const int MaxDepth = 16;
    public const int MaxEvents = 200_000;

    public static YNode? Read(string text, string file, List<IdentityConfigError> errors, int maxEvents = MaxEvents)
    {
        if (!CheckIndentation(text, file, errors))
        {
            return null;
        }

        Parser? parser = null;
        try
        {
            parser = new Parser(new StringReader(text));
            var events = 0;
            YNode? root = null;
            var documents = 0;
            while (parser.MoveNext())
            {
                if (++events > maxEvents)
                {
                    var m = parser.Current!.Start;
                    errors.Add(new(file, (int)m.Line, (int)m.Column, $"The file has more than {maxEvents:N0} YAML nodes; an identities file never needs that many. Split or trim it."));
                    return null;
                }

                switch (parser.Current)
                {
                    case DocumentStart ds:
                        if (++documents > 1)
                        {
                            errors.Add(new(file, (int)ds.Start.Line, (int)ds.Start.Column, "The file holds more than one YAML document ('---'); put everything in one."));
                            return null;
                        }

                        parser.MoveNext();
                        if (parser.Current is DocumentEnd)
                        {
                            break;
                        }

                        root = ReadNode(parser, file, errors, depth: 0, ref events, maxEvents);
                        if (root is null)
                        {
                            return null;
                        }

                        break;
                }
            }

            return root;
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException?.Message ?? ex.Message;
            // YamlDotNet prefixes "(Line: x, Col: y, ...): " — the position is ours to print.
            var cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(Line", StringComparison.Ordinal) && cut > 0)
            {
                message = message[(cut + 3)..];
            }

            errors.Add(new(file, (int)ex.Start.Line, (int)ex.Start.Column, $"The YAML is malformed ({message.TrimEnd('.')}). Check quotes, brackets and indentation here; a file cut short ends like this too."));
            return null;
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet reports a few malformed inputs this way, without a position: give the last one it reached.
            var mark = parser?.Current?.Start;
            errors.Add(new(file, (int)(mark?.Line ?? 1), (int)(mark?.Column ?? 1), $"The YAML is malformed ({ex.Message.TrimEnd('.')}). Check the document markers ('---', '...') and indentation near here."));
            return null;
        }
    }

    private static YNode? ReadNode(IParser parser, string file, List<IdentityConfigError> errors, int depth, ref int events, int maxEvents)
    {
        var current = parser.Current!;
        var start = current.Start;
        if (depth > MaxDepth)
        {
            errors.Add(new(file, (int)start.Line, (int)start.Column, $"The YAML nests deeper than {MaxDepth} levels; an identities file never does."));
            return null;
        }

        if (current is AnchorAlias alias)
        {
            errors.Add(new(file, (int)start.Line, (int)start.Column, $"YAML aliases ('*{alias.Value}') are not allowed in an identities file; write the value out."));
            return null;
        }

        if (current is NodeEvent { Anchor.IsEmpty: false } anchored)
        {
            errors.Add(new(file, (int)start.Line, (int)start.Column, $"YAML anchors ('&{anchored.Anchor}') are not allowed in an identities file; write the value out."));
            return null;
        }

        switch (current)
        {
            case Scalar scalar:
                return new YScalar(scalar.Value, scalar.Style == ScalarStyle.Plain, (int)start.Line, (int)start.Column);

            case SequenceStart:
            {
                var items = new List<YNode>();
                while (parser.MoveNext() && parser.Current is not SequenceEnd)
                {
                    if (++events > maxEvents)
                    {
                        errors.Add(new(file, (int)start.Line, (int)start.Column, $"The file has more than {maxEvents:N0} YAML nodes; an identities file never needs that many."));
                        return null;
                    }

                    var item = ReadNode(parser, file, errors, depth + 1, ref events, maxEvents);
                    if (item is null)
                    {
                        return null;
                    }

                    items.Add(item);
                }

                return new YSequence(items, (int)start.Line, (int)start.Column);
            }

            case MappingStart:
            {
                var entries = new List<KeyValuePair<YScalar, YNode>>();
                var seen = new Dictionary<string, YScalar>(StringComparer.Ordinal);
                while (parser.MoveNext() && parser.Current is not MappingEnd)
                {
                    if ((events += 2) > maxEvents)
                    {
                        errors.Add(new(file, (int)start.Line, (int)start.Column, $"The file has more than {maxEvents:N0} YAML nodes; an identities file never needs that many."));
                        return null;
                    }

                    var keyNode = ReadNode(parser, file, errors, depth + 1, ref events, maxEvents);
                    if (keyNode is null)
                    {
                        return null;
                    }

                    if (keyNode is not YScalar key)
                    {
                        errors.Add(new(file, keyNode.Line, keyNode.Column, "A key must be plain text, not a list or a mapping."));
                        return null;
                    }

                    parser.MoveNext();
                    var value = ReadNode(parser, file, errors, depth + 1, ref events, maxEvents);
                    if (value is null)
                    {
                        return null;
                    }

                    if (seen.TryGetValue(key.Value, out var first))
                    {
                        // Keep going: later duplicates are reported too, and the first value is kept for the rest of validation.
                        errors.Add(new(file, key.Line, key.Column, $"Duplicate key '{key.Value}' (first at line {first.Line}, column {first.Column}). YAML keeps only one of them; remove or rename one."));
                        continue;
                    }

                    seen.Add(key.Value, key);
                    entries.Add(new(key, value));
                }

                return new YMapping(entries, (int)start.Line, (int)start.Column);
            }

            default:
                errors.Add(new(file, (int)start.Line, (int)start.Column, $"Unexpected YAML element {current.GetType().Name}."));
                return null;
        }
    }

    // YAML forbids tabs in indentation; YamlDotNet's own message for it is cryptic, so say it plainly.
    private static bool CheckIndentation(string text, string file, List<IdentityConfigError> errors)
    {
        var line = 1;
        var atLineStart = true;
        var column = 1;
        foreach (var c in text)
        {
            if (c == '\n')
            {
                line++;
                column = 1;
                atLineStart = true;
                continue;
            }

            if (atLineStart)
            {
                if (c == '\t')
                {
                    errors.Add(new(file, line, column, "A tab is used for indentation. YAML indents with spaces only: replace the tab with spaces."));
                    if (errors.Count >= 20)
                    {
                        return false;
                    }

                    atLineStart = false;
                }
                else if (c is not ' ' and not '\r')
                {
                    atLineStart = false;
                }
            }

            column++;
        }

        return errors.Count == 0;
    }
}
