using System.Diagnostics;

namespace Hermes.Identity.Audit;

// The library's ActivitySource: one Activity per decision, when someone listens (otherwise nothing is allocated).
internal static class DecisionActivity
{
    public static readonly ActivitySource Source = new("Hermes.Identity");

    public static Activity? Start(string action)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity("hermes.identity.decision", ActivityKind.Internal);
        activity?.SetTag("hermes.action", action);
        return activity;
    }
}
