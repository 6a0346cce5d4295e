namespace Hermes.Identity;

/// <summary>
/// A platform-qualified account: the platform's name and the platform's own user id.
/// <c>telegram:111</c> and <c>discord:111</c> are different principals.
/// </summary>
/// <remarks>Both parts are compared ordinally. Build it from a <see cref="SenderEnvelope"/>, which normalises them.</remarks>
/// <param name="Platform">The normalised platform name, such as <c>telegram</c>.</param>
/// <param name="UserId">The platform's opaque user id.</param>
public readonly record struct PlatformPrincipal(string Platform, string UserId)
{
    /// <summary>Returns <c>platform:userId</c>.</summary>
    public override string ToString() => Platform + ":" + UserId;
}
