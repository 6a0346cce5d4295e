using Hermes.Identity.Memory;
using Hermes.Identity.PersonalData;
using Hermes.Identity.Sessions;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests;

// Every profile-bound service that any package registers refuses, with the same NoActiveTurnException, once
// its turn has ended, outside any turn, and inside another person's turn; and a plain DI scope cannot make one.
public sealed class ProfileBoundServiceTests
{
    // One acting call per profile-bound service. A new service must get a row here (see the coverage test).
    private static readonly Dictionary<Type, Func<object, Task>> Calls = new()
    {
        [typeof(IMemoryStore)] = s => ((IMemoryStore)s).ReadAsync().AsTask(),
        [typeof(IWorkspace)] = s => ((IWorkspace)s).ListAsync().AsTask(),
        [typeof(ISessionStore)] = s => ((ISessionStore)s).ListSessionsAsync(),
        [typeof(IAllSessionsReader)] = s => ((IAllSessionsReader)s).ListSessionsAsync("mei"),
        [typeof(ProfileData)] = async s =>
        {
            using var destination = new TempDirectory("export");
            await ((ProfileData)s).ExportAsync("louis", destination.Combine("louis"));
        },
    };

    public static TheoryData<string> Services() => [.. Calls.Keys.Select(t => t.Name)];

    [Fact]
    public void The_table_covers_every_profile_bound_service_the_packages_register()
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation().AddSqliteSessions();
        var bound = services
            .Where(d => d.Lifetime == ServiceLifetime.Scoped && d.ServiceType.IsPublic)
            .Where(d => d.ServiceType.Assembly.GetName().Name!.StartsWith("Hermes.Identity", StringComparison.Ordinal))
            .Where(d => d.ServiceType != typeof(TurnContext) && d.ServiceType != typeof(AgentProfile))
            .Select(d => d.ServiceType)
            .ToHashSet();
        Assert.Equal(bound.OrderBy(t => t.Name), Calls.Keys.OrderBy(t => t.Name));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Used_after_its_turn_ended_it_refuses(string name)
    {
        await using var data = new TestData();
        object service;
        await using (var turn = data.BeginTurn("1"))
        {
            service = turn.Services.GetRequiredService(TypeOf(name));
            await Calls[TypeOf(name)](service); // works inside its own turn
        }

        await Assert.ThrowsAsync<NoActiveTurnException>(() => Calls[TypeOf(name)](service));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Used_in_another_persons_turn_or_outside_any_turn_it_refuses_while_its_own_turn_lasts(string name)
    {
        await using var data = new TestData();
        var made = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The owner's turn lives on its own async flow and stays open while the service is tried elsewhere.
        var owner = Task.Run(async () =>
        {
            await using var turn = data.BeginTurn("1");
            made.SetResult(turn.Services.GetRequiredService(TypeOf(name)));
            await release.Task;
        }, TestContext.Current.CancellationToken);

        var louisService = await made.Task;
        try
        {
            await Assert.ThrowsAsync<NoActiveTurnException>(() => Calls[TypeOf(name)](louisService));
            await using (data.BeginTurn("2"))
            {
                var ex = await Assert.ThrowsAsync<NoActiveTurnException>(() => Calls[TypeOf(name)](louisService));
                Assert.Contains("'louis'", ex.Message, StringComparison.Ordinal);
                Assert.Contains("'mei'", ex.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            release.SetResult();
            await owner;
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_plain_scope_cannot_make_one(string name)
    {
        await using var data = new TestData();
        await using var scope = data.Services.CreateAsyncScope();
        Assert.Throws<NoActiveTurnException>(() => scope.ServiceProvider.GetRequiredService(TypeOf(name)));
    }

    private static Type TypeOf(string name) => Calls.Keys.Single(t => t.Name == name);
}
