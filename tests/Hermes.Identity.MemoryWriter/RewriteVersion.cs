using System.Globalization;

namespace Hermes.Identity.MemoryWriter;

// One entry of the rewrite loop: "<tag> <version> <fill>", the fill derived from the version, so a
// torn or mixed write shows as an entry whose fill does not match its version. Linked into the tests.
public static class RewriteVersion
{
    public static string Entry(char tag, int version, int payloadChars) =>
        string.Create(CultureInfo.InvariantCulture, $"{tag} {version} {Fill(version, payloadChars)}");

    public static string Fill(int version, int payloadChars)
    {
        var unit = version.ToString("x8", CultureInfo.InvariantCulture);
        return string.Concat(Enumerable.Repeat(unit, (payloadChars + unit.Length - 1) / unit.Length))[..payloadChars];
    }

    // (tag, version, whether the fill is the one that version writes)
    public static (char Tag, int Version, bool Whole) Parse(string entry)
    {
        var parts = entry.Split(' ', 3);
        var version = int.Parse(parts[1], CultureInfo.InvariantCulture);
        return (parts[0][0], version, parts.Length == 3 && parts[2] == Fill(version, parts[2].Length) && parts[2].Length > 0);
    }
}
