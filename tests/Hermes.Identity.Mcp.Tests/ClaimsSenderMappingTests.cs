using System.Security.Claims;
using Hermes.Identity.Mcp.Callers;

namespace Hermes.Identity.Mcp.Tests;

public sealed class ClaimsSenderMappingTests
{
    private const string Issuer = "https://login.example.test/";

    private static ClaimsPrincipal User(string? authenticationType, params Claim[] claims) =>
        new(new ClaimsIdentity(claims, authenticationType));

    private static ClaimsSenderMapping Mapping() => new ClaimsSenderMapping().MapIssuer(Issuer, "Corp");

    [Fact]
    public void The_sub_claims_issuer_is_the_platform_and_sub_the_user_id()
    {
        var sender = Mapping().Map(User("Bearer", new Claim("sub", "00u-mei", null, Issuer), new Claim("name", "Mei", null, Issuer)));

        Assert.NotNull(sender);
        Assert.Equal("corp", sender.Platform);
        Assert.Equal("00u-mei", sender.UserId);
        Assert.Null(sender.ChatId);
        Assert.Equal(ChatKind.Direct, sender.ChatKind);
        Assert.Equal("Mei", sender.DisplayName);
        Assert.Equal("corp:00u-mei", sender.Principal);
    }

    [Fact]
    public void A_sub_renamed_to_name_identifier_by_the_token_handler_is_read_too()
    {
        var sender = Mapping().Map(User("Bearer", new Claim(ClaimTypes.NameIdentifier, "00u-louis", null, Issuer), new Claim(ClaimTypes.Name, "Louis", null, Issuer)));

        Assert.Equal("corp:00u-louis", sender?.Principal);
        Assert.Equal("Louis", sender?.DisplayName);
    }

    [Fact]
    public void Nobody_without_authentication_a_trusted_issuer_or_a_valid_subject()
    {
        var mapping = Mapping();

        Assert.Null(mapping.Map(null));
        Assert.Null(mapping.Map(User(null, new Claim("sub", "00u-mei", null, Issuer)))); // not authenticated
        Assert.Null(mapping.Map(User("Bearer", new Claim("sub", "00u-mei", null, "https://evil.example.test/"))));
        Assert.Null(mapping.Map(User("Bearer", new Claim("sub", "00u-mei", null, "https://login.example.test")))); // compared as given
        Assert.Null(mapping.Map(User("Bearer", new Claim("name", "Mei", null, Issuer))));
        Assert.Null(mapping.Map(User("Bearer", new Claim("sub", "bad\nid", null, Issuer))));
        Assert.Null(new ClaimsSenderMapping().Map(User("Bearer", new Claim("sub", "00u-mei", null, Issuer)))); // no issuer trusted
    }

    [Fact]
    public void Group_claims_lift_nothing()
    {
        var sender = Mapping().Map(User("Bearer",
            new Claim("sub", "00u-eve", null, Issuer),
            new Claim("groups", "admins", null, Issuer),
            new Claim(ClaimTypes.Role, "owner", null, Issuer)));

        Assert.Equal("corp:00u-eve", sender?.Principal); // a person, whose rights identities.yaml alone decides
    }

    [Fact]
    public void Issuers_must_map_to_one_valid_platform()
    {
        var mapping = Mapping();

        Assert.Throws<ArgumentException>(() => mapping.MapIssuer(Issuer, "other"));
        Assert.Throws<ArgumentException>(() => mapping.MapIssuer("https://b.example.test/", "not a platform"));
        Assert.Throws<ArgumentException>(() => mapping.MapIssuer("", "corp"));
        mapping.MapIssuer(Issuer, "corp"); // the same again is fine
    }
}
