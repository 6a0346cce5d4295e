using Hermes.Identity.Budgets;

namespace Hermes.Identity.Tests.Budgets;

// budgets: in identities.yaml: the form, inheritance, a person over their role, and every mistake refused at its
// file:line:col with what to write instead.
public class BudgetConfigTests
{
    private const string Root = "/srv/hermes";

    private static IdentitySnapshot Parse(string yaml) => IdentitySnapshot.Parse(yaml, Root);

    private static Dictionary<string, long> LimitsOf(IdentitySnapshot snapshot, string profileKey)
    {
        var profile = snapshot.Profiles.TryGetValue(profileKey, out var p) ? p : new AgentProfile(profileKey, BuiltInRoles.Guest, Root) { IsGuest = true };
        var limits = new BudgetPlan(snapshot).LimitsFor(profile);
        return limits is null ? [] : limits.Value.Limits.ToDictionary(l => $"{l.Key.Counter}/{l.Key.Window}".ToLowerInvariant(), l => l.Limit);
    }

    private static IdentityConfigError SingleError(string yaml, string fragment)
    {
        var ex = Assert.Throws<IdentityConfigException>(() => Parse(yaml));
        var error = Assert.Single(ex.Errors, e => e.Message.Contains(fragment, StringComparison.Ordinal));
        Assert.Contains($"identities.yaml:{error.Line}:{error.Column}: ", ex.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void Built_in_roles_have_no_budgets_by_default()
    {
        var snapshot = Parse(BudgetYaml.With());
        Assert.True(new BudgetPlan(snapshot).IsEmpty);
        Assert.Empty(LimitsOf(snapshot, "mei"));
        Assert.Empty(LimitsOf(snapshot, "guest-telegram-0123456789ab"));
    }

    [Fact]
    public void A_built_in_role_given_only_budgets_keeps_its_rules()
    {
        var snapshot = Parse(BudgetYaml.With(guestBudgets: "{ turns: { hour: 20, day: 100 }, tool.web: { hour: 10 }, tokens: { day: 50000 } }"));

        Assert.Equal(BuiltInRoles.Definitions["guest"].Allow, snapshot.Roles["guest"].Allow);
        Assert.Equal(
            new Dictionary<string, long> { ["turns/hour"] = 20, ["turns/day"] = 100, ["tool.web/hour"] = 10, ["tokens/day"] = 50000 },
            LimitsOf(snapshot, "guest-telegram-0123456789ab"));
    }

    [Fact]
    public void A_role_inherits_budgets_and_a_person_overrides_the_role_per_counter_and_window()
    {
        var snapshot = Parse(BudgetYaml.With(
            trustedBudgets: "{ turns: { hour: 2, day: 10 }, tokens: { day: 1000 } }",
            meiBudgets: "{ turns: { hour: 5 }, tokens: { day: unlimited } }",
            familyBudgets: "{ tool.files: { day: 3 } }"));

        // trusted's own 'allow' is gone when the role is redefined with more than budgets: here it is only budgets, so kept.
        Assert.Equal(BuiltInRoles.Definitions["trusted"].Allow, snapshot.Roles["trusted"].Allow);
        Assert.Equal(new Dictionary<string, long> { ["turns/hour"] = 2, ["turns/day"] = 10, ["tokens/day"] = 1000 }, LimitsOf(snapshot, "kai"));
        Assert.Equal(new Dictionary<string, long> { ["turns/hour"] = 5, ["turns/day"] = 10 }, LimitsOf(snapshot, "mei"));
        Assert.Equal(new Dictionary<string, long> { ["turns/hour"] = 2, ["turns/day"] = 10, ["tokens/day"] = 1000, ["tool.files/day"] = 3 }, LimitsOf(snapshot, "ah-ma"));
        Assert.Empty(LimitsOf(snapshot, "louis"));
    }

    [Fact]
    public void An_unknown_counter_is_refused_with_the_counters_there_are()
    {
        var error = SingleError(BudgetYaml.With(meiBudgets: "{ turn: { hour: 5 } }"), "'turn' in 'budgets' of identity 'mei'");
        Assert.Contains("Did you mean 'turns'?", error.Message, StringComparison.Ordinal);
        Assert.Equal((10, 16), (error.Line, error.Column));
    }

    [Fact]
    public void A_tool_counter_must_name_a_known_category()
    {
        var error = SingleError(BudgetYaml.With(meiBudgets: "{ tool.webb: { hour: 5 } }"), "no tool category is 'webb'");
        Assert.Contains("web.search", error.Message, StringComparison.Ordinal);
        var star = SingleError(BudgetYaml.With(meiBudgets: "{ tool.web.*: { hour: 5 } }"), "write 'tool.web'");
        Assert.Equal(10, star.Line);
    }

    [Fact]
    public void An_unknown_window_is_refused()
    {
        var error = SingleError(BudgetYaml.With(meiBudgets: "{ turns: { week: 5 } }"), "'week' is not a budget window");
        Assert.Contains("'hour' (resets at every full UTC hour) or 'day' (resets at 00:00 UTC)", error.Message, StringComparison.Ordinal);
        Assert.Equal((10, 25), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("-1", "is negative (-1)")]
    [InlineData("ten", "is 'ten'; write a whole number")]
    [InlineData("1.5", "is '1.5'; write a whole number")]
    [InlineData("10000000000000", "is '10000000000000'; write a whole number from 0 to 1,000,000,000,000")]
    public void A_limit_that_is_not_a_whole_number_in_range_is_refused(string limit, string fragment)
    {
        var error = SingleError(BudgetYaml.With(meiBudgets: $"{{ tokens: {{ day: {limit} }} }}"), fragment);
        Assert.Equal((10, 31), (error.Line, error.Column));
    }

    [Fact]
    public void Budgets_must_be_a_mapping_of_windows()
    {
        SingleError(BudgetYaml.With(meiBudgets: "[turns]"), "'budgets' of identity 'mei' must map counters");
        SingleError(BudgetYaml.With(meiBudgets: "{ turns: 5 }"), "Budget 'turns' of identity 'mei' must give a limit per window");
        SingleError(BudgetYaml.With(familyBudgets: "{ turns: {} }"), "Budget 'turns' of role 'family' must give a limit per window");
    }
}
