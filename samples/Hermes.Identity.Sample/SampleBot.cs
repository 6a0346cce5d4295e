using Hermes.Identity.Approvals;
using Hermes.Identity.Delegations;
using Hermes.Identity.Pairing;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Sample;

/// <summary>
/// A multi-user bot as a host would write it: Hermes.Identity in DI, the chat pipeline wrapped with
/// <c>UseHermesIsolation()</c>, one turn per incoming message.
/// </summary>
public sealed class SampleBot : IAsyncDisposable
{
    private readonly TextWriter _output;
    private readonly ServiceProvider _services;

    private SampleBot(TextWriter output, ServiceProvider services, IChatClient chat, IList<AITool> tools, SampleTools.TerminalLog terminal, SampleTools.TerminalLog outbox, DecisionPrinter decisions, OwnerNotifier notifier)
    {
        _output = output;
        _services = services;
        Chat = chat;
        Tools = tools;
        Terminal = terminal;
        Outbox = outbox;
        Decisions = decisions;
        Notifier = notifier;
    }

    /// <summary>What the simulated email tool sent, and for whom.</summary>
    public SampleTools.TerminalLog Outbox { get; }

    /// <summary>The approval requests the bot was told about.</summary>
    public OwnerNotifier Notifier { get; }

    /// <summary>The delegations people asked for with <c>/nightly</c>: the host's schedule of night jobs.</summary>
    public List<string> NightlyJobs { get; } = [];

    /// <summary>The messages refused because a budget was used up, with the reason the bot replied.</summary>
    public List<string> BudgetRefusals { get; } = [];

    /// <summary>The chat pipeline: session history, isolation, function invocation, the model.</summary>
    public IChatClient Chat { get; }

    /// <summary>Every tool the bot has; the adapter offers each person their share.</summary>
    public IList<AITool> Tools { get; }

    /// <summary>What the simulated terminal ran.</summary>
    public SampleTools.TerminalLog Terminal { get; }

    /// <summary>The tool and store decisions, in order, as the library logged them.</summary>
    public DecisionPrinter Decisions { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Builds the bot over data root <paramref name="root"/> (which must hold identities.yaml) and <paramref name="model"/>.</summary>
    public static SampleBot Create(string root, TextWriter output, IChatClient model)
    {
        var services = new ServiceCollection();

        // The embedded defaults: identities.yaml, memory and workspaces as files under root, the built-in roles,
        // one SQLite database per person for sessions, and one for what spans messages (pairings, approvals,
        // delegations, budget counters): state/identity.db.
        services.AddHermesIsolation(o => o.Root = root).AddSqliteSessions().AddSqliteState();
        var notifier = new OwnerNotifier(output);
        services.AddSingleton<IApprovalNotifier>(notifier);

        // The library's decision log, printed as the story runs.
        var decisions = new DecisionPrinter(output);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(decisions));

        var terminal = new SampleTools.TerminalLog();
        var outbox = new SampleTools.TerminalLog();
        services.AddChatClient(model)
            .UseHermesSessionHistory()
            .UseHermesIsolation()
            .UseFunctionInvocation();

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        decisions.Current = provider.GetRequiredService<ICurrentProfile>();
        return new SampleBot(output, provider, provider.GetRequiredService<IChatClient>(), SampleTools.Create(terminal, outbox), terminal, outbox, decisions, notifier);
    }

    /// <summary>
    /// Handles one incoming message: resolve the sender, begin their turn, run a command or ask the model, print what
    /// happened. An unknown sender gets a pairing code; a used-up budget gets its reason.
    /// </summary>
    public async Task<ChatResponse?> HandleAsync(SenderEnvelope envelope, string text, CancellationToken cancellationToken = default)
    {
        // RunTurnAsync resolves the sender from the envelope alone and runs the body inside their turn.
        var turns = _services.GetRequiredService<ITurnScopeFactory>();
        ChatResponse? response = null;
        IdentityResolution resolution;
        try
        {
            resolution = await turns.RunTurnAsync(envelope, async turn =>
            {
                Write($"  identity: {envelope.Principal} is profile {turn.Profile.Key} ({turn.Profile.Role}); the display name \"{envelope.DisplayName}\" and the message text decide nothing");
                if (text.StartsWith('/'))
                {
                    await CommandAsync(turn, text, cancellationToken);
                    return;
                }

                response = await AskModelAsync(text, cancellationToken);
            }, cancellationToken);
        }
        catch (AccessDeniedException refused) when (refused.Action == "turn")
        {
            // A budget of turns is used up: no turn began; the reason says which budget and when it resets.
            Write($"  bot: {refused.Decision.Reason}");
            lock (BudgetRefusals)
            {
                BudgetRefusals.Add(refused.Decision.Reason);
            }

            return null;
        }

        if (!resolution.IsAdmitted)
        {
            Write($"  identity: {envelope.Principal} rejected: {resolution.RejectionReason}");
            if (resolution.PairingRequest is { } pairing)
            {
                Write($"  bot: I don't know you yet. Ask the owner to approve pairing code {pairing.Code} (valid until {pairing.ExpiresAt:HH:mm} UTC).");
            }
        }

        return response;
    }

    /// <summary>Runs the night jobs people scheduled: each in a turn begun from its delegation, acting for its creator.</summary>
    public async Task RunNightlyJobsAsync(string task, CancellationToken cancellationToken = default)
    {
        var turns = _services.GetRequiredService<ITurnScopeFactory>();
        foreach (var id in NightlyJobs)
        {
            var delegation = await turns.RunDelegatedTurnAsync(id, async turn =>
            {
                var job = turn.Context.Delegation!;
                Write($"  job \"{job.Job}\" acts for {turn.Profile.Key} ({turn.Profile.Role}), limited to {string.Join(", ", job.Actions ?? ["everything they hold"])}");
                var seen = GullibleChatClient.Observe();
                var answer = await Chat.GetResponseAsync([new ChatMessage(ChatRole.User, task)], new ChatOptions { Tools = Tools }, cancellationToken);
                Print(answer, seen);
            }, cancellationToken);
        }
    }

    /// <summary>The code of the latest pairing request waiting for an answer (what a host shows the owner with "/pending").</summary>
    public async Task<string> PendingPairingCodeAsync(CancellationToken cancellationToken = default)
    {
        // Listing pending codes needs identity.admin: the owner asks, in a turn of his own.
        string? code = null;
        await _services.GetRequiredService<ITurnScopeFactory>().RunTurnAsync(SimulatedTelegram.Direct(SimulatedTelegram.Louis), async _ =>
        {
            var pending = await _services.GetRequiredService<Pairings>().ListPendingAsync(cancellationToken: cancellationToken);
            code = pending.Count > 0 ? pending[^1].Code : null;
        }, cancellationToken);
        return code ?? "(none)";
    }

    // Only the new message: UseHermesSessionHistory puts the person's conversation before it, including a call that
    // waits for an approval, which the isolation layer then answers from the approval store.
    private async Task<ChatResponse> AskModelAsync(string text, CancellationToken cancellationToken)
    {
        var seen = GullibleChatClient.Observe();
        var response = await Chat.GetResponseAsync([new ChatMessage(ChatRole.User, text)], new ChatOptions { Tools = Tools }, cancellationToken);
        Print(response, seen);
        return response;
    }

    // The host's commands: "/pair PLATFORM CODE ROLE KEY" lets a stranger in; "/approve CODE" answers an approval
    // request; "/nightly" schedules a night job acting for the sender. Each runs in the sender's own turn, and the
    // library checks the sender's right (identity.admin, approval.grant) there.
    private async Task CommandAsync(TurnScope turn, string text, CancellationToken cancellationToken)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            switch (words[0])
            {
                case "/pair" when words.Length == 5:
                    var paired = await _services.GetRequiredService<Pairings>().ApproveAsync(words[1], words[2], words[3], words[4], cancellationToken);
                    Write($"  bot: {paired.Account} is now {paired.ProfileKey} ({paired.Role}), from their next message.");
                    break;
                case "/approve" when words.Length == 2:
                    var answer = await _services.GetRequiredService<Approvals.Approvals>().ApproveAsync(words[1], cancellationToken);
                    Write($"  bot: {answer.Reason}");
                    break;
                case "/nightly":
                    var delegations = turn.Services.GetRequiredService<DelegationRegistry>();
                    // The job may use the file tools and the workspace they write to; tool.exec is asked for too, and still
                    // refused: a delegation never gives more than its creator holds.
                    var job = await delegations.CreateAsync("nightly-digest", ["tool.files.*", "workspace.*", "tool.exec"], TimeSpan.FromDays(30), cancellationToken);
                    NightlyJobs.Add(job.Id);
                    Write($"  bot: Every night a job will write your digest, acting for you (and never with more than your rights): {job.Job}, until {job.ExpiresAt:yyyy-MM-dd}.");
                    break;
                default:
                    Write("  bot: Unknown command.");
                    break;
            }
        }
        catch (PairingException ex)
        {
            Write($"  bot: {ex.Message}");
        }
        catch (AccessDeniedException ex)
        {
            Write($"  bot: Refused: {ex.Decision.Reason}");
        }
    }

    /// <summary>
    /// Counts each profile's sessions and messages in a turn of <paramref name="reader"/>, through
    /// <see cref="IAllSessionsReader"/>: the policy allows it only to a role with <c>sessions.read.all</c>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, (int Sessions, int Messages)>> CountSessionsAsync(SimulatedTelegram.Person reader, IEnumerable<string> profiles, CancellationToken cancellationToken = default)
    {
        var resolution = await _services.GetRequiredService<IIdentityResolver>().ResolveAsync(SimulatedTelegram.Direct(reader), cancellationToken);
        await using var turn = _services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
        var all = turn.Services.GetRequiredService<IAllSessionsReader>();
        var counts = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            var sessions = await all.ListSessionsAsync(profile, includeArchived: true, cancellationToken);
            var messages = 0;
            foreach (var session in sessions)
            {
                messages += (await all.GetMessagesAsync(profile, session.Id, cancellationToken: cancellationToken)).Count;
            }

            counts[profile] = (sessions.Count, messages);
        }

        return counts;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private void Print(ChatResponse response, GullibleChatClient.Observation seen)
    {
        lock (_output)
        {
            if (seen.Requests > 0)
            {
                _output.WriteLine($"  tools offered to the model: {string.Join(", ", seen.OfferedTools)}");
            }

            foreach (var content in response.Messages.SelectMany(m => m.Contents))
            {
                switch (content)
                {
                    case FunctionCallContent call:
                        _output.WriteLine($"  model calls {call.Name}({string.Join(", ", (call.Arguments ?? new Dictionary<string, object?>()).Select(a => $"{a.Key}: \"{a.Value}\""))})");
                        break;
                    case FunctionResultContent result:
                        _output.WriteLine($"  tool result: {$"{result.Result}".ReplaceLineEndings(" / ")}");
                        break;
                    case ToolApprovalRequestContent waiting:
                        _output.WriteLine($"  the call waits for an approval: approval code {waiting.AdditionalProperties?["hermes.approval_id"]}");
                        break;
                    case TextContent { Text.Length: > 0 } said:
                        _output.WriteLine($"  bot: {said.Text.ReplaceLineEndings(" / ")}");
                        break;
                }
            }
        }
    }

    private void Write(string line)
    {
        lock (_output)
        {
            _output.WriteLine(line);
        }
    }
}
