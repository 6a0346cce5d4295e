namespace Hermes.Identity;

/// <summary>
/// A platform-qualified account: the platform's name and the platform's own user id.
/// <c>telegram:111</c> and <c>discord:111</c> are different principals.
/// </summary>
/// <remarks>Both parts are compared ordinally. Take it from <see cref="SenderEnvelope.Principal"/>, which normalises them.</remarks>
public readonly struct PlatformPrincipal : IEquatable<PlatformPrincipal>
{
    /// <summary>Creates a principal. Platform names are compared as given: use <see cref="SenderEnvelope.NormalizePlatform"/> for text from outside.</summary>
    public PlatformPrincipal(string platform, string userId)
    {
        Platform = platform;
        UserId = userId;
    }

    /// <summary>The normalised platform name, such as <c>telegram</c>.</summary>
    public string Platform { get; }

    /// <summary>The platform's opaque user id.</summary>
    public string UserId { get; }

    /// <inheritdoc />
    public bool Equals(PlatformPrincipal other) =>
        string.Equals(Platform, other.Platform, StringComparison.Ordinal) && string.Equals(UserId, other.UserId, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PlatformPrincipal other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(
        Platform is null ? 0 : StringComparer.Ordinal.GetHashCode(Platform),
        UserId is null ? 0 : StringComparer.Ordinal.GetHashCode(UserId));

    /// <summary>Returns <c>platform:userId</c>.</summary>
    public override string ToString() => Platform + ":" + UserId;

    /// <summary>Whether two principals are the same account.</summary>
    public static bool operator ==(PlatformPrincipal left, PlatformPrincipal right) => left.Equals(right);

    /// <summary>Whether two principals are different accounts.</summary>
    public static bool operator !=(PlatformPrincipal left, PlatformPrincipal right) => !left.Equals(right);
}
