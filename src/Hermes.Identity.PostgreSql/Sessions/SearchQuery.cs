using System.Globalization;
using System.Text;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Sessions;

// A search, split into whitespace-separated terms that must all occur as substrings, as the SQLite store splits it.
// Each term becomes an ILIKE on a COLLATE "C" column (ASCII letters fold, nothing else does, as SQLite's LIKE); the
// pg_trgm GIN index answers terms of 3 characters or more, and the server rechecks every row, so a 1- or 2-character
// term (a two-character Chinese word) finds exactly what it matches, scanning only the profile's own rows.
internal sealed class SearchQuery
{
    public const int MaxLength = 1_000;
    private const int SnippetRadius = 40;

    private SearchQuery(string[] terms) => Terms = terms;

    public IReadOnlyList<string> Terms { get; }

    public static SearchQuery? Parse(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Length > MaxLength)
        {
            throw new ArgumentException($"The search query is {query.Length} characters long; at most {MaxLength} are accepted.", nameof(query));
        }

        var terms = query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (terms.Length == 0)
        {
            return null;
        }

        foreach (var term in terms)
        {
            Database.TextRules.Check(term, nameof(query), "The search query");
        }

        return new SearchQuery(terms.Distinct(StringComparer.Ordinal).ToArray());
    }

    // "column ILIKE $n ESCAPE '\' AND ...", adding the parameters to command.
    public string LikeClause(string column, NpgsqlCommand command)
    {
        var clauses = new List<string>();
        foreach (var term in Terms)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "%" + EscapeLike(term) + "%" });
            clauses.Add(string.Create(CultureInfo.InvariantCulture, $"{column} ILIKE ${command.Parameters.Count} ESCAPE '\\'"));
        }

        return string.Join(" AND ", clauses);
    }

    // The text around the first occurrence of the first term.
    public string Snippet(string text)
    {
        var term = Terms[0];
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
}
