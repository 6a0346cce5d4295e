namespace Hermes.Identity;

/// <summary>Who one turn is for: the admitted profile, the envelope it came from, and the turn's own ids.</summary>
public sealed class TurnContext
{
    internal TurnContext(AgentProfile profile, SenderEnvelope sender, string revision, string turnId, string nonce, DateTimeOffset startedAt)
    {
        Profile = profile;
        Sender = sender;
        Revision = revision;
        TurnId = turnId;
        Nonce = nonce;
        StartedAt = startedAt;
    }

    /// <summary>The profile the turn is for.</summary>
    public AgentProfile Profile { get; }

    /// <summary>The platform-verified sender of the message that began the turn.</summary>
    public SenderEnvelope Sender { get; }

    /// <summary>The revision of the identity configuration the sender was resolved under.</summary>
    public string Revision { get; }

    /// <summary>A unique id for the turn, for logs and audit records.</summary>
    public string TurnId { get; }

    /// <summary>A random value known only to this turn; the identity prompt carries it so a copy in user text is recognisably forged.</summary>
    public string Nonce { get; }

    /// <summary>When the turn began.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"turn {TurnId} for {Profile.Key} from {Sender.Principal}";
}
