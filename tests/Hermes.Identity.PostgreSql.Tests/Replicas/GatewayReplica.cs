using System.Globalization;

namespace Hermes.Identity.PostgreSql.Tests.Replicas;

// One gateway replica in a child process (Hermes.Identity.PostgreSql.Gateway) on the test server's schema, with a data
// root of its own holding the same identities.yaml. Commands go in on standard input; each answer is the next line that
// starts with its word. The replica polls the directory and the paired accounts only once a minute, so what it applies
// within a test was notified.
internal sealed class GatewayReplica : IDisposable
{
    public const string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: trusted
            accounts: { telegram: "222" }
        tools:
          terminal: exec
          web_search: web.search
        """;

    private readonly TempDirectory _root;
    private readonly ChildProcess _child;
    private int _answers;

    private GatewayReplica(TempDirectory root, ChildProcess child)
    {
        _root = root;
        _child = child;
    }

    public ChildProcess Process => _child;

    public int Pid { get; private set; }

    public static async Task<GatewayReplica> StartAsync(PostgresServer server, string schema, int retryDelayMs = 200)
    {
        var root = new TempDirectory();
        root.Write("identities.yaml", Yaml);
        var child = ChildProcess.Start("Hermes.Identity.PostgreSql.Gateway", server.ConnectionString, schema, root.Path, retryDelayMs.ToString(CultureInfo.InvariantCulture));
        var replica = new GatewayReplica(root, child);
        var ready = await child.WaitForLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal));
        replica.Pid = int.Parse(ready[6..], CultureInfo.InvariantCulture);
        await child.WaitForLineAsync(l => l == "log PostgreSqlListening");
        return replica;
    }

    // Sends a command and returns its answer: the line the replica prints with the command's number, without it.
    public async Task<string> SendAsync(string command)
    {
        var prefix = $"#{Interlocked.Increment(ref _answers)} ";
        _child.SendLine(command);
        var answer = (await _child.WaitForLineAsync(l => l.StartsWith(prefix, StringComparison.Ordinal)))[prefix.Length..];
        Assert.False(answer.StartsWith("error", StringComparison.Ordinal), $"{command}: {answer}");
        return answer;
    }

    public async Task<string> DecideAsync(string platform, string userId, string tool = "terminal") =>
        (await SendAsync($"decide {platform} {userId} {tool}")).Split(' ')[1];

    // Waits until the replica has applied the snapshot of this revision (it printed it when its reload token fired).
    public Task WaitForRevisionAsync(string revision) => _child.WaitForLineAsync(l => l == "revision " + revision);

    public int StateChanges => _child.Lines.Count(l => l.StartsWith("state-changed ", StringComparison.Ordinal));

    // Waits until the state store's change token has fired more than `seen` times: a NOTIFY reached this replica.
    public Task WaitForStateChangeAsync(int seen) =>
        _child.WaitForLineAsync(l => l.StartsWith("state-changed ", StringComparison.Ordinal) && int.Parse(l[14..], CultureInfo.InvariantCulture) > seen);

    public void Dispose()
    {
        try
        {
            _child.SendLine("quit");
        }
        catch (IOException)
        {
            // gone already
        }

        _child.Dispose();
        _root.Dispose();
    }
}
