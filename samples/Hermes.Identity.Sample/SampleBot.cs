using Hermes.Identity.Memory;
using Hermes.Identity.Policy;
using Hermes.Identity.Sample.Temporary;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sample;

/// <summary>
/// A multi-user bot as a host would write it: Hermes.Identity in DI, the chat pipeline wrapped with
/// <c>UseHermesIsolation()</c>, one turn per incoming message.
/// </summary>
public sealed class SampleBot : IAsyncDisposable
{
    private readonly TextWriter _output;
    private readonly ServiceProvider _services;

    private SampleBot(TextWriter output, ServiceProvider services, IChatClient chat, IList<AITool> tools, SampleTools.TerminalLog terminal, PrintingPolicyBackend decisions)
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

    /// <summary>The tool and store decisions, in order.</summary>
    public PrintingPolicyBackend Decisions { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Builds the bot over data root <paramref name="root"/> (which must hold identities.yaml) and <paramref name="model"/>.</summary>
    public static SampleBot Create(string root, TextWriter output, IChatClient model)
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = root);

        // TEMP until the RBAC backend lands on main: AddHermesIsolation() will register it, and this goes.
        services.AddSingleton<RolePatternBackend>();
        services.AddSingleton(sp => new PrintingPolicyBackend(sp.GetRequiredService<RolePatternBackend>(), output));
        services.AddSingleton<IPolicyBackend>(sp => sp.GetRequiredService<PrintingPolicyBackend>());

        // TEMP until the memory, sessions and workspace branches land: their registrations replace these.
        services.AddScoped<FileMemoryStore>();
        services.AddScoped<IMemoryStore>(sp => sp.GetRequiredService<FileMemoryStore>());
        services.AddSingleton<InMemorySessionStore.Shelf>();
        services.AddScoped<ISessionStore, InMemorySessionStore>();
        services.AddScoped<WorkspaceFiles>();

        var terminal = new SampleTools.TerminalLog();
        services.AddSingleton(terminal);
        services.AddChatClient(model)
            .UseHermesSessionHistory()
            .UseHermesIsolation()
            .UseFunctionInvocation();

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        return new SampleBot(output, provider, provider.GetRequiredService<IChatClient>(), SampleTools.Create(terminal), terminal, provider.GetRequiredService<PrintingPolicyBackend>());
    }

    /// <summary>Handles one incoming message: resolve the sender, begin their turn, ask the model, print what happened.</summary>
    public async Task<ChatResponse?> HandleAsync(SenderEnvelope envelope, string text, CancellationToken cancellationToken = default)
    {
        var resolver = _services.GetRequiredService<IIdentityResolver>();
        var turns = _services.GetRequiredService<ITurnScopeFactory>();
        var resolution = await resolver.ResolveAsync(envelope, cancellationToken);
        if (!resolution.IsAdmitted)
        {
            Write($"  identity: {envelope.Principal} rejected: {resolution.RejectionReason}");
            return null;
        }

        await using var turn = turns.BeginTurn(resolution);
        var seen = GullibleChatClient.Observe();
        var response = await Chat.GetResponseAsync([new ChatMessage(ChatRole.User, text)], new ChatOptions { Tools = Tools }, cancellationToken);
        Print(turn.Profile, envelope, response, seen);
        return response;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private void Print(AgentProfile profile, SenderEnvelope envelope, ChatResponse response, GullibleChatClient.Observation seen)
    {
        lock (_output)
        {
            _output.WriteLine($"  identity: {envelope.Principal} is profile {profile.Key} ({profile.Role}); the display name \"{envelope.DisplayName}\" and the message text decide nothing");
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
