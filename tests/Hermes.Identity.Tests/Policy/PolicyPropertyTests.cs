using CsCheck;
using Hermes.Identity.Policy;

namespace Hermes.Identity.Tests.Policy;

// The compiled role table against the plain reference evaluator, and the laws a policy must obey,
// on generated policies (roles with inherits, allow, deny and require_approval; identities with rules).
public sealed class PolicyPropertyTests
{
    private const int Iterations = 60;

    private static readonly Gen<string> AnyPattern = Gen.Int[0, GeneratedPolicy.Patterns.Length - 1].Select(i => GeneratedPolicy.Patterns[i]);

    [Fact]
    public void Compiled_table_decides_as_the_reference_evaluator()
    {
        GeneratedPolicy.Generator.Sample(policy =>
        {
            var expected = policy.DecideByReference();
            var actual = policy.Decide();
            foreach (var (key, effect) in expected)
            {
                Assert.True(effect == actual[key], $"{key}: reference {effect}, engine {actual[key]}");
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Rule_order_never_matters()
    {
        Gen.Select(GeneratedPolicy.Generator, Gen.Int).Sample((policy, seed) =>
            Assert.Equal(policy.Decide(), policy.Decide(new Random(seed))), iter: Iterations);
    }

    [Fact]
    public void A_deny_always_wins()
    {
        Gen.Select(GeneratedPolicy.Generator, Gen.Int[0, 4], AnyPattern).Sample((policy, which, pattern) =>
        {
            var role = policy.Roles[which % policy.Roles.Length];
            var denied = policy.WithRole(role with { Deny = [.. role.Deny, pattern] });
            var after = denied.Decide();
            foreach (var identity in denied.Identities.Where(i => denied.DependsOn(i, role.Name)))
            {
                foreach (var action in GeneratedPolicy.Actions.Where(a => ReferenceEvaluator.Matches(pattern, a)))
                {
                    Assert.Equal(PolicyEffect.Deny, after[(identity.Key, action)]);
                }
            }
        }, iter: Iterations);
    }

    [Fact]
    public void No_rule_means_deny()
    {
        GeneratedPolicy.Generator.Sample(policy =>
        {
            var bare = policy with
            {
                Roles = [.. policy.Roles, new GeneratedRole("bare", null, [], [], ["*"])],
                Identities = [.. policy.Identities, new GeneratedIdentity("p9", "bare", [], [])],
            };
            Assert.All(bare.Decide().Where(d => d.Key.Identity == "p9"), d => Assert.Equal(PolicyEffect.Deny, d.Value));
        }, iter: 20);
    }

    [Fact]
    public void Adding_an_allow_never_removes_access()
    {
        Gen.Select(GeneratedPolicy.Generator, Gen.Int[0, 4], AnyPattern).Sample((policy, which, pattern) =>
        {
            var role = policy.Roles[which % policy.Roles.Length];
            var before = policy.Decide();
            var after = policy.WithRole(role with { Allow = [.. role.Allow, pattern] }).Decide();
            foreach (var (key, effect) in before)
            {
                if (effect != PolicyEffect.Deny)
                {
                    Assert.NotEqual(PolicyEffect.Deny, after[key]);
                }

                if (effect == PolicyEffect.Allow)
                {
                    Assert.Equal(PolicyEffect.Allow, after[key]);
                }
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Adding_a_deny_never_grants_access()
    {
        Gen.Select(GeneratedPolicy.Generator, Gen.Int[0, 4], AnyPattern).Sample((policy, which, pattern) =>
        {
            var role = policy.Roles[which % policy.Roles.Length];
            var before = policy.Decide();
            var after = policy.WithRole(role with { Deny = [.. role.Deny, pattern] }).Decide();
            foreach (var (key, effect) in after)
            {
                if (effect != PolicyEffect.Deny)
                {
                    Assert.Equal(before[key], effect);
                }
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Changing_one_role_never_changes_another_roles_decisions()
    {
        Gen.Select(GeneratedPolicy.Generator, Gen.Int[0, 4], AnyPattern.Array[0, 3], AnyPattern.Array[0, 3]).Sample((policy, which, allow, deny) =>
        {
            var role = policy.Roles[which % policy.Roles.Length];
            var before = policy.Decide();
            var changed = policy.WithRole(role with { Allow = allow, Deny = deny, Approval = [] });
            var after = changed.Decide();
            foreach (var identity in policy.Identities.Where(i => !policy.DependsOn(i, role.Name)))
            {
                foreach (var (key, effect) in before.Where(d => d.Key.Identity == identity.Key))
                {
                    Assert.Equal(effect, after[key]);
                }
            }
        }, iter: Iterations);
    }
}
