namespace Hermes.Identity.Pairing;

// A code that was approved or denied, and when.
internal sealed class UsedCode
{
    public string Code { get; set; } = "";

    public DateTimeOffset At { get; set; }
}
