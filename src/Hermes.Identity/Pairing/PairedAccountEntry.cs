namespace Hermes.Identity.Pairing;

// One account of a paired person, who let it in and when.
internal sealed class PairedAccountEntry
{
    public string Platform { get; set; } = "";

    public string UserId { get; set; } = "";

    public string By { get; set; } = "";

    public DateTimeOffset At { get; set; }

    public bool IsLink { get; set; }

    internal PlatformPrincipal Principal => new(Platform, UserId);
}
