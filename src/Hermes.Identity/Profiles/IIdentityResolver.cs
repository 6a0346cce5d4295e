namespace Hermes.Identity;

/// <summary>Turns the platform-verified sender of a message into a profile, or rejects them.</summary>
/// <remarks>
/// Only <see cref="SenderEnvelope.Platform"/> and <see cref="SenderEnvelope.UserId"/> may decide the
/// answer. An implementation that cannot answer must throw or reject: never admit by default.
/// </remarks>
public interface IIdentityResolver
{
    /// <summary>Resolves <paramref name="sender"/>.</summary>
    /// <param name="sender">The envelope the transport built from the platform's own data.</param>
    /// <param name="cancellationToken">Cancels the resolution.</param>
    ValueTask<IdentityResolution> ResolveAsync(SenderEnvelope sender, CancellationToken cancellationToken = default);
}
