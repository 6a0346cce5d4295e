using System.Security.Claims;
using Hermes.Identity.Approvals;
using Hermes.Identity.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Tests;

/// <summary>The MCP adapter beyond the conformance suite: callers from token claims, nobody, the server name, approvals.</summary>
public sealed class McpServerTests : IAsyncDisposable
{
    private const string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { corp: "00u-louis" }
          mei:
            role: helper
            accounts: { corp: "00u-mei" }
        roles:
          helper:
            allow: [tool.memory, memory.read, tool.mail.send]
            require_approval: [tool.mail.send]
        tools:
          notes.whoami: memory
          notes.send_mail: mail.send
          notes.terminal: exec
        """;

    private readonly List<IAsyncDisposable> _owned = [];
    private int _terminalRuns;
    private int _mailRuns;
    private int _whoamiRuns;

    private HermesHost Host(Action<HermesMcpOptions> configure)
    {
        var folder = new TempDirectory("mcp");
        folder.Write("memories/louis/MEMORY.md", "canary-louis-7f3a\n");
        folder.Write("memories/mei/MEMORY.md", "canary-mei-51c2\n");
        var host = new HermesHost(Yaml, services => services.AddMcpServer()
            .WithTools(
            [
                McpServerTool.Create(async (IServiceProvider services) =>
                {
                    Interlocked.Increment(ref _whoamiRuns);
                    return (await services.GetRequiredService<IMemoryStore>().ReadAsync()).Render();
                }, new() { Name = "whoami" }),
                McpServerTool.Create((string to) =>
                {
                    Interlocked.Increment(ref _mailRuns);
                    return "sent to " + to;
                }, new() { Name = "send_mail" }),
                McpServerTool.Create((string command) =>
                {
                    Interlocked.Increment(ref _terminalRuns);
                    return "ran " + command;
                }, new() { Name = "terminal" }),
            ])
            .WithRequestFilters(filters => filters.AddCallToolFilter(next => async (request, ct) =>
            {
                // A host filter that runs another tool than the one asked for, by invoking the tool object itself.
                if (request.Params?.Meta?["test/smuggle"]?.GetValue<string>() is { } other
                    && request.Server.ServerOptions.ToolCollection!.TryGetPrimitive(other, out var tool))
                {
                    return await tool.InvokeAsync(request, ct);
                }

                return await next(request, ct);
            }))
            .UseHermesIsolation(configure), isolation => isolation.AddSqliteState(), folder);
        _owned.Add(host);
        return host;
    }

    private async Task<McpConnection> ConnectAsync(HermesHost host, ClaimsPrincipal? user)
    {
        var connection = await McpConnection.OpenAsync(host, user);
        _owned.Insert(0, connection);
        return connection;
    }

    private static void Claims(HermesMcpOptions o)
    {
        o.ServerName = "notes";
        o.MapCallersFromClaims(c => c.MapIssuer(AuthenticatedTransport.Issuer, "corp"));
    }

    [Fact]
    public async Task Callers_from_token_claims_see_their_own_tools_and_at_once_their_own_memory()
    {
        var host = Host(Claims);
        var mei = await ConnectAsync(host, AuthenticatedTransport.Token("00u-mei"));
        var louis = await ConnectAsync(host, AuthenticatedTransport.Token("00u-louis"));

        Assert.Equal(["send_mail", "whoami"], (await mei.ToolNamesAsync()).Order(StringComparer.Ordinal));
        Assert.Equal(["send_mail", "terminal", "whoami"], (await louis.ToolNamesAsync()).Order(StringComparer.Ordinal));

        var calls = Enumerable.Range(0, 12).Select(async i =>
        {
            var isMei = i % 2 == 0;
            return (isMei, Text: await (isMei ? mei : louis).CallAsync("whoami"));
        });
        foreach (var (isMei, text) in await Task.WhenAll(calls))
        {
            Assert.Contains(isMei ? "canary-mei-51c2" : "canary-louis-7f3a", text, StringComparison.Ordinal);
            Assert.DoesNotContain(isMei ? "canary-louis" : "canary-mei", text, StringComparison.Ordinal);
        }

        Assert.Equal(12, _whoamiRuns);
        Assert.StartsWith("Refused: the tool 'notes.terminal' did not run.", await mei.CallAsync("terminal", new Dictionary<string, object?> { ["command"] = "id" }), StringComparison.Ordinal);
        Assert.Equal("ran id", await louis.CallAsync("terminal", new Dictionary<string, object?> { ["command"] = "id" }));
        Assert.Equal(1, _terminalRuns);
    }

    [Fact]
    public async Task A_caller_that_maps_to_nobody_sees_no_tools_and_runs_nothing()
    {
        var host = Host(Claims);
        var untrustedIssuer = await ConnectAsync(host, AuthenticatedTransport.Token("00u-louis", "https://evil.example.test/"));
        var anonymous = await ConnectAsync(host, null);
        var unauthenticated = await ConnectAsync(host, new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "00u-louis", null, AuthenticatedTransport.Issuer)])));

        foreach (var nobody in new[] { untrustedIssuer, anonymous, unauthenticated })
        {
            Assert.Empty(await nobody.ToolNamesAsync());
            foreach (var tool in new[] { "whoami", "send_mail", "terminal", "format_disk" })
            {
                var text = await nobody.CallAsync(tool, new Dictionary<string, object?> { ["to"] = "x", ["command"] = "x" });
                Assert.StartsWith($"Refused: the tool 'notes.{tool}' did not run. This server does not know who is calling", text, StringComparison.Ordinal);
            }
        }

        Assert.Equal(0, _whoamiRuns + _mailRuns + _terminalRuns);
    }

    [Fact]
    public async Task A_caller_mapping_that_throws_maps_to_nobody()
    {
        var host = Host(o => o.CallerMapping = _ => throw new InvalidOperationException("the token cache is down"));
        var connection = await ConnectAsync(host, AuthenticatedTransport.Token("00u-louis"));

        Assert.Empty(await connection.ToolNamesAsync());
        Assert.StartsWith("Refused:", await connection.CallAsync("terminal", new Dictionary<string, object?> { ["command"] = "id" }), StringComparison.Ordinal);
        Assert.Equal(0, _terminalRuns);
    }

    [Fact]
    public async Task Without_the_server_name_the_qualified_entries_do_not_answer_for_bare_names()
    {
        var host = Host(o => o.MapCallersFromClaims(c => c.MapIssuer(AuthenticatedTransport.Issuer, "corp")));
        var mei = await ConnectAsync(host, AuthenticatedTransport.Token("00u-mei"));

        Assert.Empty(await mei.ToolNamesAsync()); // "whoami" is not "notes.whoami": no category, so no rule allows it
        Assert.StartsWith("Refused: the tool 'whoami' did not run.", await mei.CallAsync("whoami"), StringComparison.Ordinal);
        Assert.Equal(0, _whoamiRuns);
    }

    [Fact]
    public async Task A_server_name_that_is_not_a_name_fails_when_the_options_are_built()
    {
        var host = Host(o => o.ServerName = "notes.v2");

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<McpServerOptions>>().Value);
        Assert.Contains("ServerName 'notes.v2'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approval_binds_to_the_tool_and_arguments_and_the_call_presented_again_runs_once()
    {
        var host = Host(Claims);
        var mei = await ConnectAsync(host, AuthenticatedTransport.Token("00u-mei"));
        var mail = new Dictionary<string, object?> { ["to"] = "ada@example.test" };

        var asked = await mei.CallAsync("send_mail", mail);
        var askedAgain = await mei.CallAsync("send_mail", mail); // the same call before the answer: the same request
        Assert.StartsWith("Refused: the tool 'notes.send_mail' did not run.", asked, StringComparison.Ordinal);
        Assert.Contains("It waits for approval", askedAgain, StringComparison.Ordinal);

        var pending = await host.InTurnAsync(new SenderEnvelope("corp", "00u-louis"), async _ =>
        {
            var approvals = host.Services.GetRequiredService<Approvals.Approvals>();
            var request = Assert.Single(await approvals.ListPendingAsync());
            Assert.True((await approvals.ApproveAsync(request.Id)).IsAllowed);
            return request;
        });
        Assert.Equal("mcp:notes.send_mail", pending.ToolCallId);
        Assert.Contains(pending.Id, asked, StringComparison.Ordinal);

        Assert.StartsWith("Refused:", await mei.CallAsync("send_mail", new Dictionary<string, object?> { ["to"] = "eve@example.test" }), StringComparison.Ordinal);
        Assert.Equal("sent to ada@example.test", await mei.CallAsync("send_mail", mail));
        Assert.StartsWith("Refused:", await mei.CallAsync("send_mail", mail), StringComparison.Ordinal);
        Assert.Equal(1, _mailRuns);
    }

    [Fact]
    public async Task A_call_id_the_client_passes_in_meta_makes_each_call_its_own_approval()
    {
        var host = Host(Claims);
        var mei = await ConnectAsync(host, AuthenticatedTransport.Token("00u-mei"));
        var mail = new Dictionary<string, object?> { ["to"] = "ada@example.test" };
        RequestOptions Call(string id) => new() { Meta = new() { ["hermes.identity/call_id"] = id } };

        await mei.CallAsync("send_mail", mail, Call("call-1"));
        await mei.CallAsync("send_mail", mail, Call("call-2"));

        var pending = await host.InTurnAsync(new SenderEnvelope("corp", "00u-louis"), async _ =>
            await host.Services.GetRequiredService<Approvals.Approvals>().ListPendingAsync());
        Assert.Equal(["call-1", "call-2"], pending.Select(p => p.ToolCallId).Order(StringComparer.Ordinal));
        Assert.Equal(0, _mailRuns);
    }

    [Fact]
    public async Task A_host_filter_that_invokes_another_tool_itself_still_goes_through_the_policy()
    {
        var host = Host(Claims);
        var mei = await ConnectAsync(host, AuthenticatedTransport.Token("00u-mei"));
        var louis = await ConnectAsync(host, AuthenticatedTransport.Token("00u-louis"));
        var smuggle = new RequestOptions { Meta = new() { ["test/smuggle"] = "terminal" } };
        var arguments = new Dictionary<string, object?> { ["command"] = "id" };

        var refused = await mei.CallAsync("whoami", arguments, smuggle); // whoami is allowed; the filter runs terminal instead
        var allowed = await louis.CallAsync("whoami", arguments, smuggle);

        Assert.StartsWith("Refused: the tool 'notes.terminal' did not run.", refused, StringComparison.Ordinal);
        Assert.Equal("ran id", allowed);
        Assert.Equal(1, _terminalRuns);
        Assert.Equal(0, _whoamiRuns);
    }

    [Fact]
    public async Task A_tool_of_the_server_invoked_outside_any_request_runs_nothing()
    {
        var host = Host(Claims);
        var options = host.Services.GetRequiredService<IOptions<McpServerOptions>>().Value;
        Assert.True(options.ToolCollection!.TryGetPrimitive("terminal", out var terminal));
        await using var server = McpServer.Create(new ModelContextProtocol.Server.StreamServerTransport(Stream.Null, Stream.Null), options, null, host.Services);
        var request = new RequestContext<ModelContextProtocol.Protocol.CallToolRequestParams>(
            server,
            new ModelContextProtocol.Protocol.JsonRpcRequest { Method = "tools/call" },
            new ModelContextProtocol.Protocol.CallToolRequestParams { Name = "terminal" });

        var result = await terminal.InvokeAsync(request);

        Assert.True(result.IsError);
        Assert.StartsWith("Refused: the tool 'notes.terminal' did not run.", McpConnection.Text(result), StringComparison.Ordinal);
        Assert.Equal(0, _terminalRuns);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }
}
