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

    private SampleBot(TextWriter output, ServiceProvider services, IChatClient chat, IList<AITool> tools, SampleTools.TerminalLog terminal, DecisionPrinter decisions)
    {
        _output = output;
        _services = services;
        Chat = chat;
        Tools = tools;
        Terminal = terminal;
        Decisions = decisions;
    }

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
        // and one SQLite database per person for sessions.
        services.AddHermesIsolation(o => o.Root = root).AddSqliteSessions();

        // The library's decision log, printed as the story runs.
        var decisions = new DecisionPrinter(output);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(decisions));

        var terminal = new SampleTools.TerminalLog();
        services.AddChatClient(model)
            .UseHermesSessionHistory()
            .UseHermesIsolation()
            .UseFunctionInvocation();

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        decisions.Current = provider.GetRequiredService<ICurrentProfile>();
        return new SampleBot(output, provider, provider.GetRequiredService<IChatClient>(), SampleTools.Create(terminal), terminal, decisions);
    }

    /// <summary>Handles one incoming message: resolve the sender, begin their turn, ask the model, print what happened.</summary>
    public async Task<ChatResponse?> HandleAsync(SenderEnvelope envelope, string text, CancellationToken cancellationToken = default)
    {
        // RunTurnAsync resolves the sender from the envelope alone and runs the body inside their turn.
        var turns = _services.GetRequiredService<ITurnScopeFactory>();
        ChatResponse? response = null;
        var resolution = await turns.RunTurnAsync(envelope, async turn =>
        {
            Write($"  identity: {envelope.Principal} is profile {turn.Profile.Key} ({turn.Profile.Role}); the display name \"{envelope.DisplayName}\" and the message text decide nothing");
            var seen = GullibleChatClient.Observe();
            response = await Chat.GetResponseAsync([new ChatMessage(ChatRole.User, text)], new ChatOptions { Tools = Tools }, cancellationToken);
            Print(response, seen);
        }, cancellationToken);

        if (!resolution.IsAdmitted)
        {
            Write($"  identity: {envelope.Principal} rejected: {resolution.RejectionReason}");
        }

        return response;
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
