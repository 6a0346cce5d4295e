namespace Hermes.Identity.Pairing;

// A sender (by platform user id) and when they last did something that is rate limited.
internal sealed class SenderMark
{
    public string UserId { get; set; } = "";

    public DateTimeOffset At { get; set; }
}
