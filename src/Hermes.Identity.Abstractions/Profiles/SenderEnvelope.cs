namespace Hermes.Identity;

/// <summary>
/// What a transport adapter knows about the sender of one message, as the platform verified it.
/// </summary>
/// <remarks>
/// Only <see cref="Platform"/> and <see cref="UserId"/> decide who the sender is. The display name is
/// carried for the prompt and never decides anything: anyone can set theirs to "Louis (owner)".
/// </remarks>
public sealed class SenderEnvelope
{
    /// <summary>The longest user id or chat id accepted, in characters.</summary>
    internal const int MaxIdLength = 256;

    /// <summary>Creates an envelope, normalising the platform name and validating the ids.</summary>
    /// <param name="platform">The platform's name (<c>telegram</c>, <c>discord</c>, ...). Trimmed and lower-cased.</param>
    /// <param name="userId">The platform's own id for the sender. Opaque: compared ordinally, never trimmed.</param>
    /// <param name="chatId">The platform's id for the conversation, if any.</param>
    /// <param name="chatKind">The kind of conversation.</param>
    /// <param name="displayName">The name the sender shows; untrusted, for the prompt only.</param>
    /// <exception cref="ArgumentException">An id is empty, too long or holds control characters, or the platform name is not valid.</exception>
    public SenderEnvelope(string platform, string userId, string? chatId = null, ChatKind chatKind = ChatKind.Direct, string? displayName = null)
    {
        Platform = NormalizePlatform(platform);
        UserId = ValidateId(userId, nameof(userId), "user id", allowNull: false)!;
        ChatId = ValidateId(chatId, nameof(chatId), "chat id", allowNull: true);
        if (!Enum.IsDefined(chatKind))
        {
            throw new ArgumentOutOfRangeException(nameof(chatKind), chatKind, "Unknown chat kind; use Direct, Group, Channel or Thread.");
        }

        ChatKind = chatKind;
        DisplayName = displayName;
    }

    // The platform of a delegated turn's synthetic sender. '@' is refused by the public constructor and by identities.yaml,
    // so no real message can carry it and no configured account can match it.
    internal const string DelegationPlatform = "@delegation";

    // The synthetic sender of a turn begun from a delegation: made here only, never validated as a platform's.
    private SenderEnvelope(string delegationId)
    {
        Platform = DelegationPlatform;
        UserId = delegationId;
        ChatKind = ChatKind.Direct;
    }

    internal static SenderEnvelope ForDelegation(string delegationId) => new(delegationId);

    /// <summary>The normalised platform name: lower case, letters, digits, <c>-</c> and <c>_</c>.</summary>
    public string Platform { get; }

    /// <summary>The platform's opaque user id for the sender.</summary>
    public string UserId { get; }

    /// <summary>The platform's id for the conversation, or <see langword="null"/>.</summary>
    public string? ChatId { get; }

    /// <summary>The kind of conversation the message arrived in.</summary>
    public ChatKind ChatKind { get; }

    /// <summary>The sender's self-chosen display name. Untrusted: shown in the prompt, never used to decide.</summary>
    public string? DisplayName { get; }

    /// <summary>
    /// What the platform flags the sender as: <see cref="SenderKind.Person"/> (the default), or a bot, webhook or relay.
    /// Set it from the platform's own flag, never from message text. An automated sender reaching a known identity gets at
    /// most the <c>guest</c> role's rights unless that identity's entry accepts it (<c>automated:</c> in identities.yaml).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="Identity.SenderKind"/>.</exception>
    public SenderKind SenderKind
    {
        get;
        init => field = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(SenderKind), value, "Unknown sender kind; use Person, Bot, Webhook or Relay.");
    }

    /// <summary>Whether the platform flags the sender as a bot, webhook or relay.</summary>
    internal bool IsAutomated => SenderKind != SenderKind.Person;

    /// <summary>The platform-qualified account, <c>platform:userId</c> (<c>telegram:111</c> and <c>discord:111</c> are different people).</summary>
    public string Principal => Account.ToString();

    internal PlatformPrincipal Account => new(Platform, UserId);

    /// <inheritdoc />
    public override string ToString() => Principal;

    internal static string NormalizePlatform(string platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var normalized = platform.Trim().ToLowerInvariant();
        if (!IsValidPlatform(normalized))
        {
            throw new ArgumentException(
                $"'{Printable(platform)}' is not a valid platform name. Use 1 to 32 characters of a-z, 0-9, '-' or '_', starting with a letter or digit, such as \"telegram\".",
                nameof(platform));
        }

        return normalized;
    }

    internal static bool IsValidPlatform(string normalized)
    {
        if (normalized.Length is 0 or > 32 || !char.IsAsciiLetterLower(normalized[0]) && !char.IsAsciiDigit(normalized[0]))
        {
            return false;
        }

        foreach (var c in normalized)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    internal static string? ValidateId(string? id, string paramName, string what, bool allowNull)
    {
        if (id is null)
        {
            return allowNull ? null : throw new ArgumentNullException(paramName, $"The {what} is required: it is what the platform verified.");
        }

        if (id.Length == 0)
        {
            throw new ArgumentException($"The {what} is empty. Pass the id the platform gives for the sender; an empty id would match nobody and is refused.", paramName);
        }

        if (id.Length > MaxIdLength)
        {
            throw new ArgumentException($"The {what} is {id.Length} characters long; at most {MaxIdLength} are accepted.", paramName);
        }

        foreach (var c in id)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"The {what} '{Printable(id)}' holds a control character (U+{(int)c:X4}); platform ids never do, so it is refused.", paramName);
            }
        }

        return id;
    }

    internal static string Printable(string s)
    {
        var chars = s.Length > 80 ? s.AsSpan(0, 80).ToArray() : s.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars) + (s.Length > 80 ? "…" : string.Empty);
    }
}
