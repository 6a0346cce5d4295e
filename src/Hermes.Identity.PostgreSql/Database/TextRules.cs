namespace Hermes.Identity.PostgreSql.Database;

// What PostgreSQL's text cannot hold: the NUL character, and lone UTF-16 surrogates (no UTF-8 form). Refused up front
// with a message, rather than failing on the server or being stored as something else.
internal static class TextRules
{
    public static string? Problem(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                return "holds a NUL character, which PostgreSQL text cannot keep";
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "holds a lone UTF-16 surrogate, which PostgreSQL text cannot keep";
            }
        }

        return null;
    }

    public static void Check(string value, string parameter, string what)
    {
        if (Problem(value) is { } problem)
        {
            throw new ArgumentException($"{what} {problem}; use well-formed text.", parameter);
        }
    }
}
