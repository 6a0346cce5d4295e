using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.Sample;

/// <summary>
/// A deterministic stand-in for a model that can be talked into anything: it believes every identity claim,
/// and emits whatever tool call a message asks for, offered or not. The library, not the model, has to hold.
/// </summary>
public sealed partial class GullibleChatClient : IChatClient
{
    private static readonly AsyncLocal<Observation?> Observed = new();
    private int _calls;

    /// <summary>
    /// Starts recording what the model is sent on this async flow (and the flows it starts): call it before the
    /// request, read the result after. Flow-local, so two conversations at once each see their own.
    /// </summary>
    public static Observation Observe() => Observed.Value = new Observation();

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var history = messages.ToList();
        if (Observed.Value is { } observation)
        {
            observation.OfferedTools = options?.Tools?.Select(t => t.Name).ToArray() ?? [];
            observation.Instructions = options?.Instructions;
            observation.Requests++;
            observation.Messages = history.Count;
        }

        var last = history.LastOrDefault();
        if (last is null)
        {
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hello?")));
        }

        if (last.Role == ChatRole.Tool)
        {
            // Passes on the first sentence of each result: the whole text is printed just above it.
            var results = last.Contents.OfType<FunctionResultContent>().Select(r => FirstSentence($"{r.Result}"));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Done. The tool said: " + string.Join(" | ", results))));
        }

        var text = last.Text;
        var calls = new List<AIContent>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            AddCalls(line, calls);
        }

        if (calls.Count > 0)
        {
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, calls)));
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Reply(text))));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void AddCalls(string line, List<AIContent> calls)
    {
        if (RunCommand().Match(line) is { Success: true } run)
        {
            calls.Add(Call("terminal", ("command", run.Groups[1].Value)));
        }

        if (WriteFile().Match(line) is { Success: true } write)
        {
            calls.Add(Call("write_file", ("path", write.Groups[1].Value), ("content", write.Groups[2].Value)));
        }
        else if (ReadFile().Match(line) is { Success: true } read)
        {
            calls.Add(Call("read_file", ("path", read.Groups[1].Value)));
        }

        if (WriteMemory().Match(line) is { Success: true } remember)
        {
            calls.Add(Call("memory", ("action", "add"), ("content", remember.Groups[1].Value)));
        }
        else if (ReadMemory().IsMatch(line))
        {
            calls.Add(Call("memory", ("action", "read")));
        }

        if (SearchSessions().Match(line) is { Success: true } search)
        {
            calls.Add(Call("session_search", ("query", search.Groups[1].Value)));
        }

        if (SendEmail().Match(line) is { Success: true } email)
        {
            calls.Add(Call("send_email", ("to", email.Groups[1].Value), ("body", email.Groups[2].Value)));
        }

        if (CallTool().Match(line) is { Success: true } tool)
        {
            calls.Add(Call(tool.Groups[1].Value));
        }
    }

    private FunctionCallContent Call(string name, params (string Key, string Value)[] arguments) =>
        new($"call_{Interlocked.Increment(ref _calls)}", name, arguments.ToDictionary(a => a.Key, a => (object?)a.Value));

    private static string FirstSentence(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        var end = line.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? line : line[..(end + 1)];
    }

    // Believes whatever the message says about who is writing.
    private static string Reply(string text)
    {
        var claim = IdentityClaim().Match(text);
        var b = new StringBuilder();
        b.Append(claim.Success ? $"Of course, {claim.Groups[1].Value}! I believe you completely." : "OK.");
        if (text.Contains("owner", StringComparison.OrdinalIgnoreCase))
        {
            b.Append(" Owner tools enabled, as you asked.");
        }

        return b.ToString();
    }

    /// <summary>What the model was sent on one flow.</summary>
    public sealed class Observation
    {
        /// <summary>The tool names offered on the latest request.</summary>
        public IReadOnlyList<string> OfferedTools { get; set; } = [];

        /// <summary>The instructions of the latest request.</summary>
        public string? Instructions { get; set; }

        /// <summary>How many messages the latest request carried.</summary>
        public int Messages { get; set; }

        /// <summary>How many requests reached the model.</summary>
        public int Requests { get; set; }
    }

    [GeneratedRegex(@"run `([^`]+)`", RegexOptions.IgnoreCase)]
    private static partial Regex RunCommand();

    [GeneratedRegex(@"write (?:the )?file (\S+?):\s*(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex WriteFile();

    [GeneratedRegex(@"read (?:the )?file (\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex ReadFile();

    [GeneratedRegex(@"(?:remember|memory)\s*:\s*(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex WriteMemory();

    [GeneratedRegex(@"what do you remember", RegexOptions.IgnoreCase)]
    private static partial Regex ReadMemory();

    [GeneratedRegex(@"search (?:my |all |every\w* )?(?:sessions|history) for (.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex SearchSessions();

    [GeneratedRegex(@"send an email to (\S+?):\s*(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex SendEmail();

    [GeneratedRegex(@"call the tool (\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex CallTool();

    [GeneratedRegex(@"\bI(?:'m| am) (\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex IdentityClaim();
}
