using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hermes.Identity.Tests.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Hermes.Identity.Tests.Audit;

// Every enforced decision is logged, counted by effect and role, and traced as an Activity.
public sealed class DecisionTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Decisions_are_counted_by_effect_and_role_and_logged_with_event_ids()
    {
        await using var host = PolicyTestHost.Create(configure: b =>
        {
            b.Services.AddMetrics();
            b.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
        });
        using var decisions = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "Hermes.Identity", "hermes.identity.decisions");
        await using (host.BeginTurn("222"))
        {
            await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);
            await host.Engine.AuthorizeToolCallAsync("terminal", cancellationToken: Ct);
            await host.Engine.GetVisibleToolsAsync(["read_file", "terminal"], Ct); // a question, not a decision to act: not counted
        }

        var measurements = decisions.GetMeasurementSnapshot();
        Assert.Equal(2, measurements.Count);
        Assert.Contains(measurements, m => m.Tags["effect"] as string == "allow" && m.Tags["role"] as string == "trusted");
        Assert.Contains(measurements, m => m.Tags["effect"] as string == "deny" && m.Tags["role"] as string == "trusted");
        Assert.All(measurements, m => Assert.DoesNotContain("mei", m.Tags.Values.Select(v => v as string)));

        var logs = host.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, l => l.Id.Id == 400 && l.Message.Contains("tool.files.read", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Id.Id == 401 && l.Message.Contains("No rule allows role trusted to tool.exec (tool terminal)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_decision_is_an_activity()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Hermes.Identity" or "Hermes.Identity.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (activities)
                {
                    activities.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = PolicyTestHost.Create();
        using var source = new ActivitySource("Hermes.Identity.Tests");
        string? parent;
        await using (host.BeginTurn("333"))
        {
            using var test = source.StartActivity("test");
            parent = test?.Id;
            await host.Engine.AuthorizeToolCallAsync("write_file", cancellationToken: Ct);
        }

        lock (activities)
        {
            // Other tests run alongside: pick out this test's decision by its parent.
            var activity = Assert.Single(activities, a => a.OperationName == "hermes.identity.decision" && a.ParentId == parent);
            Assert.Equal("tool.files.write", activity.GetTagItem("hermes.action"));
            Assert.Equal("deny", activity.GetTagItem("hermes.effect"));
            Assert.Equal("guest", activity.GetTagItem("hermes.role"));
        }
    }
}
