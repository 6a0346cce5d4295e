namespace Hermes.Identity.Tests.Infrastructure;

// The story of TestSupport's Identities as a parsed snapshot. Parsing is internal to the library, which these tests
// may see and TestSupport may not, so the shortcut is added here: Identities.StorySnapshot(root).
internal static class IdentitiesExtensions
{
    extension(Identities)
    {
        public static IdentitySnapshot StorySnapshot(string root) => IdentitySnapshot.Parse(Identities.Story, root);
    }
}
