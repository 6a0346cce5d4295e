namespace Hermes.Identity;

// A platform-qualified account: (platform, user id), both compared ordinally. telegram:111 and discord:111
// are different principals. Public API shows it as the text "platform:userId".
internal readonly record struct PlatformPrincipal(string Platform, string UserId)
{
    public override string ToString() => Platform + ":" + UserId;
}
