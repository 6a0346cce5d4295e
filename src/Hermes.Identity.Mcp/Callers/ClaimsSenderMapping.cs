using System.Security.Claims;

namespace Hermes.Identity.Mcp.Callers;

/// <summary>
/// Maps the authenticated user of an HTTP request (a <see cref="ClaimsPrincipal"/>) to a <see cref="SenderEnvelope"/>:
/// the issuer of its <c>sub</c> claim is the platform, and <c>sub</c> is the user id.
/// </summary>
/// <remarks>
/// <para>The rule, exactly. Of the principal's identities that are authenticated, in order, the first whose subject claim
/// (its <c>sub</c> claim, or, when it has none because the token handler renamed it, its
/// <see cref="ClaimTypes.NameIdentifier"/> claim) has a <see cref="Claim.Issuer"/> named with <see cref="MapIssuer"/> gives
/// the sender: platform = the name given to that
/// issuer, user id = the claim's value, no chat id, a direct chat, display name = that identity's <c>name</c> (or
/// <see cref="ClaimTypes.Name"/>) claim (untrusted: shown to the model, never used to decide). The issuer is compared
/// ordinally, as the token carries it (<c>https://login.example.com/</c> and <c>https://login.example.com</c> differ).
/// Nobody, when the principal is null or unauthenticated, when no such claim comes from a named issuer, or when its
/// value is not a valid user id (empty, over 256 characters, control characters).</para>
/// <para>identities.yaml then names the person by that platform and subject:
/// <c>accounts: { corp: "00u1abcd" }</c>. Two issuers never share a platform unless you map them to the same name, so a
/// token from another issuer with the same <c>sub</c> is another person.</para>
/// <para>Group and role claims are not read: rights come from identities.yaml alone (the role of the identity the account
/// belongs to), so a token can prove who someone is but never lift what they may do. To give a group's members a role,
/// list their accounts under identities of that role.</para>
/// </remarks>
public sealed class ClaimsSenderMapping
{
    private const string SubjectClaim = "sub";
    private const string NameClaim = "name";

    private readonly Dictionary<string, string> _platforms = new(StringComparer.Ordinal);

    /// <summary>Trusts tokens of <paramref name="issuer"/>, whose subjects are then users of <paramref name="platform"/>.</summary>
    /// <param name="issuer">The issuer as the token names it (its <c>iss</c>, which the authentication handler puts in <see cref="Claim.Issuer"/>).</param>
    /// <param name="platform">The platform name identities.yaml uses for these users (1 to 32 characters of a-z, 0-9, <c>-</c>, <c>_</c>).</param>
    /// <returns>This mapping.</returns>
    /// <exception cref="ArgumentException"><paramref name="issuer"/> is empty, <paramref name="platform"/> is not a valid platform name, or the issuer is already mapped to another platform.</exception>
    public ClaimsSenderMapping MapIssuer(string issuer, string platform)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        var normalized = new SenderEnvelope(platform, "check").Platform; // validates the name as every envelope does
        if (_platforms.TryGetValue(issuer, out var existing) && existing != normalized)
        {
            throw new ArgumentException($"The issuer '{issuer}' is already mapped to the platform '{existing}'; one issuer is one platform.", nameof(issuer));
        }

        _platforms[issuer] = normalized;
        return this;
    }

    /// <summary>The sender <paramref name="user"/> maps to by the rule in the remarks, or null for nobody.</summary>
    /// <param name="user">The request's authenticated user, or null.</param>
    /// <returns>The sender, or null.</returns>
    public SenderEnvelope? Map(ClaimsPrincipal? user)
    {
        if (user is null || _platforms.Count == 0)
        {
            return null;
        }

        foreach (var identity in user.Identities)
        {
            if (!identity.IsAuthenticated)
            {
                continue;
            }

            var subject = Subject(identity);
            if (subject is null || !_platforms.TryGetValue(subject.Issuer, out var platform))
            {
                continue;
            }

            var name = identity.FindFirst(NameClaim)?.Value ?? identity.FindFirst(ClaimTypes.Name)?.Value;
            try
            {
                return new SenderEnvelope(platform, subject.Value, null, ChatKind.Direct, name);
            }
            catch (ArgumentException)
            {
                return null; // not a valid user id: nobody, never a guess
            }
        }

        return null;
    }

    private static Claim? Subject(ClaimsIdentity identity) =>
        identity.FindFirst(SubjectClaim) ?? identity.FindFirst(ClaimTypes.NameIdentifier);
}
