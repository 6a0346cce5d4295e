namespace Hermes.Identity.Pairing;

// One code given to an unknown sender, waiting for an approval.
internal sealed class PendingCode
{
    public string Code { get; set; } = "";

    public string UserId { get; set; } = "";

    public string? DisplayName { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
