using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.Storage;

// A search, split into whitespace-separated terms that must all occur. Terms of 3 characters or more
// become an FTS5 trigram query (each quoted, so nothing the user types is FTS syntax); shorter ones are
// matched with LIKE, because a trigram index cannot find a 1- or 2-character string.
internal sealed class SearchQuery
{
    public const int MaxLength = 1_000;
    private const int SnippetRadius = 40;

    private SearchQuery(string[] terms)
    {
        Terms = terms;
        var longTerms = terms.Where(t => CountCharacters(t) >= 3).ToArray();
        FullTextMatch = longTerms.Length == 0 ? null : string.Join(" AND ", longTerms.Select(t => "\"" + t.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
        HasShortTerms = longTerms.Length < terms.Length;
    }

    public IReadOnlyList<string> Terms { get; }

    public string? FullTextMatch { get; }

    public bool HasShortTerms { get; }

    public static SearchQuery? Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Length > MaxLength)
        {
            throw new ArgumentException($"The search query is {query.Length} characters long; at most {MaxLength} are accepted.", nameof(query));
        }

        var terms = query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return terms.Length == 0 ? null : new SearchQuery(terms.Distinct(StringComparer.Ordinal).ToArray());
    }

    // "column LIKE $t0 ESCAPE '\' AND ...", adding the parameters to command.
    public string LikeClause(string column, SqliteCommand command, bool shortOnly = false)
    {
        var clauses = new List<string>();
        for (var i = 0; i < Terms.Count; i++)
        {
            if (shortOnly && CountCharacters(Terms[i]) >= 3)
            {
                continue;
            }

            var name = string.Create(CultureInfo.InvariantCulture, $"$like{i}");
            command.Parameters.AddWithValue(name, "%" + EscapeLike(Terms[i]) + "%");
            clauses.Add($"{column} LIKE {name} ESCAPE '\\'");
        }

        return string.Join(" AND ", clauses);
    }

    // The text around the first occurrence of term, for hits found without the index.
    public static string Snippet(string text, string term)
    {
        var at = text.IndexOf(term, StringComparison.OrdinalIgnoreCase);
        if (at < 0 || text.Length <= 2 * SnippetRadius)
        {
            return text.Length <= 2 * SnippetRadius ? text : text[..(2 * SnippetRadius)] + "…";
        }

        var start = Math.Max(0, at - SnippetRadius);
        var end = Math.Min(text.Length, at + term.Length + SnippetRadius);
        var builder = new StringBuilder();
        if (start > 0)
        {
            builder.Append('…');
        }

        builder.Append(text, start, end - start);
        if (end < text.Length)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    private static string EscapeLike(string term) =>
        term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    // Unicode characters (code points), as the trigram tokenizer counts them.
    private static int CountCharacters(string term)
    {
        var count = 0;
        foreach (var _ in term.EnumerateRunes())
        {
            count++;
        }

        return count;
    }
}
