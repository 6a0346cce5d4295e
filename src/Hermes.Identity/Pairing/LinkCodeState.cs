namespace Hermes.Identity.Pairing;

// A link code (kind "pairing.link", key the code) and, under kind "pairing.linkof" with the person's key, the one code
// that person has open: asking for a new code retires the old one.
internal sealed class LinkCodeState
{
    public string Code { get; set; } = "";

    public string Profile { get; set; } = "";

    public DateTimeOffset ExpiresAt { get; set; }

    public bool Used { get; set; }
}
