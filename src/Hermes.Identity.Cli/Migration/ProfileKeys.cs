using System.Text;

namespace Hermes.Identity.Cli.Migration;

/// <summary>Makes valid, unused profile keys ([a-z0-9][a-z0-9_-]{0,63}, never guest-…) from names and accounts.</summary>
internal static class ProfileKeys
{
    public static string Make(string? name, string fallback, ISet<string> taken)
    {
        var key = Slug(name);
        if (key.Length == 0 || key.StartsWith("guest-", StringComparison.Ordinal))
        {
            key = Slug(fallback);
        }

        if (key.Length == 0 || key.StartsWith("guest-", StringComparison.Ordinal))
        {
            key = "person";
        }

        var candidate = key;
        for (var n = 2; taken.Contains(candidate); n++)
        {
            var suffix = "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            candidate = key[..Math.Min(key.Length, 64 - suffix.Length)] + suffix;
        }

        taken.Add(candidate);
        return candidate;
    }

    private static string Slug(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                builder.Append(c);
            }
            else if ((c is '-' or '_' or ' ' or '.' or ':' or '@') && builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var slug = builder.ToString().Trim('-', '_');
        return slug.Length > 64 ? slug[..64].TrimEnd('-', '_') : slug;
    }
}
