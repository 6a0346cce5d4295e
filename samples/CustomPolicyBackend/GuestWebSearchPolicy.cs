using System.Collections.Concurrent;
using Hermes.Identity;
using Hermes.Identity.Policy;
using Microsoft.Extensions.Options;

namespace CustomPolicyBackend;

/// <summary>
/// An attribute-based policy next to the built-in roles: guests may search the web only in a direct chat
/// with the bot, and at most <see cref="GuestWebSearchOptions.SearchesPerHour"/> times an hour. Everything
/// else it allows, because the engine asks every backend and all of them must allow: this backend only
/// ever narrows what the roles grant, it cannot widen it.
/// </summary>
/// <remarks>
/// Plug it in with <c>services.AddHermesIsolation().AddPolicyBackend&lt;GuestWebSearchPolicy&gt;()</c>.
/// It reads only what the engine puts in the request: the subject's role (from the configuration in force),
/// the platform-verified sender's chat kind, the tool call id, and the time from <see cref="TimeProvider"/>.
/// </remarks>
public sealed class GuestWebSearchPolicy : IPolicyBackend
{
    /// <summary>The action this backend has an opinion on.</summary>
    public const string WebSearch = "tool.web.search";

    // Answers that never change are made once: the allow path allocates nothing.
    private static readonly PolicyDecision NotAGuestSearch = PolicyDecision.Allow("Not a guest's web search.", ruleIds: ["sample:guest-web/not-applicable"]);
    private static readonly PolicyDecision OnlyDirect = PolicyDecision.Deny("Guests may search the web only in a direct chat with the bot.", ruleIds: ["sample:guest-web/direct-only"]);
    private static readonly PolicyDecision WithinLimit = PolicyDecision.Allow("A guest's web search within the hourly limit.", ruleIds: ["sample:guest-web/per-hour"]);

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _searches = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _perHour;

    /// <summary>Creates the policy. DI supplies both arguments.</summary>
    public GuestWebSearchPolicy(TimeProvider time, IOptions<GuestWebSearchOptions> options)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _perHour = options.Value.SearchesPerHour;
    }

    /// <inheritdoc />
    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Action != WebSearch || request.Subject.Role != BuiltInRoles.Guest)
        {
            return new(NotAGuestSearch);
        }

        // The chat kind comes from the envelope the platform verified, never from message text.
        if (request.Sender?.ChatKind != ChatKind.Direct)
        {
            return new(OnlyDirect);
        }

        var now = _time.GetUtcNow();
        var recent = _searches.GetOrAdd(request.Subject.Key, static _ => new Queue<DateTimeOffset>());
        lock (recent)
        {
            while (recent.Count > 0 && now - recent.Peek() >= TimeSpan.FromHours(1))
            {
                recent.Dequeue();
            }

            if (recent.Count >= _perHour)
            {
                var next = recent.Peek() + TimeSpan.FromHours(1) - now;
                return new(PolicyDecision.Deny(
                    $"Guests may search the web {_perHour} times an hour; the next search is possible in {Math.Ceiling(next.TotalMinutes)} minutes.",
                    request.Revision,
                    ["sample:guest-web/per-hour"]));
            }

            // Only a real call uses up a search: asking which tools are visible carries no call id.
            if (request.ToolCallId is not null)
            {
                recent.Enqueue(now);
            }
        }

        return new(WithinLimit);
    }
}
