using System.Globalization;
using System.Text;

namespace Hermes.Identity.Prompt;

// Makes untrusted text safe to put on one line of the prompt: no newlines, control or format characters
// (bidi overrides, zero-width joiners), runs of white space collapsed, and a length cap.
internal static class PromptText
{
    public static string Clean(string? text, int maxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (text.Length <= maxLength && IsPlainLine(text))
        {
            return text;
        }

        var b = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        var pendingSpace = false;
        var count = 0;
        var truncated = false;
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (Rune.IsWhiteSpace(rune) || category is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned)
            {
                pendingSpace = b.Length > 0;
                continue;
            }

            if (count + (pendingSpace ? 2 : 1) > maxLength)
            {
                truncated = true;
                break;
            }

            if (pendingSpace)
            {
                b.Append(' ');
                count++;
                pendingSpace = false;
            }

            b.Append(rune.ToString());
            count++;
        }

        return truncated ? b.Append('…').ToString() : b.ToString();
    }

    // Printable ASCII, single spaces, no space at either end: nothing to clean (the common case).
    private static bool IsPlainLine(string text)
    {
        if (text[0] == ' ' || text[^1] == ' ')
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is < ' ' or > '~' || (c == ' ' && text[i - 1] == ' '))
            {
                return false;
            }
        }

        return true;
    }
}
