using System.Security.Claims;
using Hermes.Identity.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Tests;

/// <summary>
/// Resources and prompts over the real in-process MCP transport: each caller lists only what the policy allows them,
/// a read or get of anything else is refused before its handler runs, and the handler runs in the caller's turn.
/// </summary>
public sealed class McpResourcesAndPromptsTests : IAsyncDisposable
{
    // Resources are decided as "<server>.resource:<name>", prompts as "<server>.prompt:<name>", through tools:.
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
            allow: [tool.memory, memory.read, tool.files.read, tool.drafts]
            require_approval: [tool.drafts]
        tools:
          notes.resource:today: memory
          notes.resource:note: files.read
          notes.resource:secrets: secrets
          notes.resource:drafts: drafts
          notes.prompt:recap: memory
          notes.prompt:wipe: secrets
        """;

    private readonly List<IAsyncDisposable> _owned = [];
    private int _secretsRuns;
    private int _wipeRuns;
    private int _todayRuns;
    private int _noteRuns;
    private int _draftsRuns;

    private HermesHost Host()
    {
        var folder = new TempDirectory("mcp-resources");
        folder.Write("memories/louis/MEMORY.md", "canary-louis-7f3a\n");
        folder.Write("memories/mei/MEMORY.md", "canary-mei-51c2\n");
        var host = new HermesHost(Yaml, services => services.AddMcpServer()
            .WithResources(
            [
                McpServerResource.Create(async (IServiceProvider services) =>
                {
                    Interlocked.Increment(ref _todayRuns);
                    return (await services.GetRequiredService<IMemoryStore>().ReadAsync()).Render();
                }, new() { UriTemplate = "notes://today", Name = "today" }),
                McpServerResource.Create((string id) =>
                {
                    Interlocked.Increment(ref _noteRuns);
                    return "note " + id;
                }, new() { UriTemplate = "notes://note/{id}", Name = "note" }),
                McpServerResource.Create(() =>
                {
                    Interlocked.Increment(ref _secretsRuns);
                    return "the launch codes";
                }, new() { UriTemplate = "notes://secrets", Name = "secrets" }),
                McpServerResource.Create(() =>
                {
                    Interlocked.Increment(ref _draftsRuns);
                    return "draft";
                }, new() { UriTemplate = "notes://drafts", Name = "drafts" }),
            ])
            .WithPrompts(
            [
                McpServerPrompt.Create(async (IServiceProvider services) =>
                    "Recap this: " + (await services.GetRequiredService<IMemoryStore>().ReadAsync()).Render(), new() { Name = "recap" }),
                McpServerPrompt.Create(() =>
                {
                    Interlocked.Increment(ref _wipeRuns);
                    return "Delete everything.";
                }, new() { Name = "wipe" }),
            ])
            .WithRequestFilters(filters => filters.AddReadResourceFilter(next => async (request, ct) =>
            {
                // A host filter that reads another resource than the one asked for, by invoking the resource object itself.
                if (request.Params?.Meta?["test/smuggle"]?.GetValue<string>() is { } other
                    && request.Server.ServerOptions.ResourceCollection!.TryGetPrimitive(other, out var resource))
                {
                    return await resource.ReadAsync(request, ct);
                }

                return await next(request, ct);
            }))
            .UseHermesIsolation(o =>
            {
                o.ServerName = "notes";
                o.MapCallersFromClaims(c => c.MapIssuer(AuthenticatedTransport.Issuer, "corp"));
            }), folder: folder);
        _owned.Add(host);
        return host;
    }

    private async Task<McpConnection> ConnectAsync(HermesHost host, ClaimsPrincipal? user)
    {
        var connection = await McpConnection.OpenAsync(host, user);
        _owned.Insert(0, connection);
        return connection;
    }

    private static async Task<IReadOnlyList<string>> ResourcesAsync(McpConnection connection) =>
        (await connection.Client.ListResourcesAsync()).Select(r => r.Name).Order(StringComparer.Ordinal).ToList();

    private static async Task<IReadOnlyList<string>> TemplatesAsync(McpConnection connection) =>
        (await connection.Client.ListResourceTemplatesAsync()).Select(r => r.Name).Order(StringComparer.Ordinal).ToList();

    private static async Task<IReadOnlyList<string>> PromptsAsync(McpConnection connection) =>
        (await connection.Client.ListPromptsAsync()).Select(p => p.Name).Order(StringComparer.Ordinal).ToList();

    private static async Task<string> ReadAsync(McpConnection connection, string uri, RequestOptions? options = null) =>
        string.Join("\n", (await connection.Client.ReadResourceAsync(uri, options)).Contents.OfType<TextResourceContents>().Select(c => c.Text));

    private static async Task<string> GetPromptAsync(McpConnection connection, string name) =>
        string.Join("\n", (await connection.Client.GetPromptAsync(name)).Messages.Select(m => m.Content).OfType<TextContentBlock>().Select(t => t.Text));

    [Fact]
    public async Task A_guest_lists_no_forbidden_resource_or_prompt_and_is_refused_reading_one()
    {
        var host = Host();
        var guest = await ConnectAsync(host, AuthenticatedTransport.Token("00u-stranger")); // not listed: unknown_senders: guest

        Assert.Equal(["today"], await ResourcesAsync(guest));
        Assert.Equal(["note"], await TemplatesAsync(guest));
        Assert.Equal(["recap"], await PromptsAsync(guest));

        var read = await Assert.ThrowsAsync<McpProtocolException>(() => ReadAsync(guest, "notes://secrets"));
        Assert.Contains("Refused: the resource 'notes.resource:secrets' was not read.", read.Message, StringComparison.Ordinal);
        Assert.Equal(McpErrorCode.InvalidParams, read.ErrorCode);
        var get = await Assert.ThrowsAsync<McpProtocolException>(() => GetPromptAsync(guest, "wipe"));
        Assert.Contains("Refused: the prompt 'notes.prompt:wipe' was not given.", get.Message, StringComparison.Ordinal);

        // A URI no resource of the server has is decided by the URI: unlisted, so only a rule allowing every tool reaches it.
        var unknown = await Assert.ThrowsAsync<McpProtocolException>(() => ReadAsync(guest, "notes://elsewhere"));
        Assert.Contains("Refused: the resource 'notes.resource:notes://elsewhere' was not read.", unknown.Message, StringComparison.Ordinal);

        Assert.Equal("note 7", await ReadAsync(guest, "notes://note/7"));
        Assert.Equal(0, _secretsRuns + _wipeRuns);
        Assert.Equal(1, _noteRuns);
    }

    [Fact]
    public async Task The_owner_lists_and_reads_everything()
    {
        var host = Host();
        var louis = await ConnectAsync(host, AuthenticatedTransport.Token("00u-louis"));

        Assert.Equal(["drafts", "secrets", "today"], await ResourcesAsync(louis));
        Assert.Equal(["recap", "wipe"], await PromptsAsync(louis));
        Assert.Equal("the launch codes", await ReadAsync(louis, "notes://secrets"));
        Assert.Equal("Delete everything.", await GetPromptAsync(louis, "wipe"));
        Assert.Equal(1, _secretsRuns);
        Assert.Equal(1, _wipeRuns);
    }

    [Fact]
    public async Task A_caller_that_maps_to_nobody_sees_nothing_and_reads_nothing()
    {
        var host = Host();
        var untrustedIssuer = await ConnectAsync(host, AuthenticatedTransport.Token("00u-louis", "https://evil.example.test/"));
        var anonymous = await ConnectAsync(host, null);

        foreach (var nobody in new[] { untrustedIssuer, anonymous })
        {
            Assert.Empty(await ResourcesAsync(nobody));
            Assert.Empty(await TemplatesAsync(nobody));
            Assert.Empty(await PromptsAsync(nobody));
            foreach (var uri in new[] { "notes://today", "notes://secrets", "notes://note/1" })
            {
                var refused = await Assert.ThrowsAsync<McpProtocolException>(() => ReadAsync(nobody, uri));
                Assert.Contains("This server does not know who is calling", refused.Message, StringComparison.Ordinal);
            }

            var get = await Assert.ThrowsAsync<McpProtocolException>(() => GetPromptAsync(nobody, "recap"));
            Assert.Contains("This server does not know who is calling", get.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, _todayRuns + _noteRuns + _secretsRuns + _wipeRuns);
    }

    [Fact]
    public async Task The_handlers_services_are_the_callers_own_for_two_callers_at_once()
    {
        var host = Host();
        var mei = await ConnectAsync(host, AuthenticatedTransport.Token("00u-mei"));
        var louis = await ConnectAsync(host, AuthenticatedTransport.Token("00u-louis"));

        var reads = Enumerable.Range(0, 12).Select(async i =>
        {
            var isMei = i % 2 == 0;
            var connection = isMei ? mei : louis;
            return (isMei, Text: i % 4 < 2 ? await ReadAsync(connection, "notes://today") : await GetPromptAsync(connection, "recap"));
        });
        foreach (var (isMei, text) in await Task.WhenAll(reads))
        {
            Assert.Contains(isMei ? "canary-mei-51c2" : "canary-louis-7f3a", text, StringComparison.Ordinal);
            Assert.DoesNotContain(isMei ? "canary-louis" : "canary-mei", text, StringComparison.Ordinal);
        }

        Assert.Equal(6, _todayRuns);
    }

    [Fact]
    public async Task A_host_filter_that_reads_another_resource_itself_still_goes_through_the_policy()
    {
        var host = Host();
        var mei = await ConnectAsync(host, AuthenticatedTransport.Token("00u-mei"));
        var smuggle = new RequestOptions { Meta = new() { ["test/smuggle"] = "notes://secrets" } };

        var refused = await Assert.ThrowsAsync<McpProtocolException>(() => ReadAsync(mei, "notes://today", smuggle));

        Assert.Contains("Refused: the resource 'notes.resource:secrets' was not read.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, _secretsRuns + _todayRuns);
    }

    [Fact]
    public async Task A_resource_of_the_server_read_outside_any_request_runs_nothing()
    {
        var host = Host();
        var options = host.Services.GetRequiredService<IOptions<McpServerOptions>>().Value;
        Assert.True(options.ResourceCollection!.TryGetPrimitive("notes://secrets", out var secrets));
        await using var server = McpServer.Create(new StreamServerTransport(Stream.Null, Stream.Null), options, null, host.Services);
        var request = new RequestContext<ReadResourceRequestParams>(server, new JsonRpcRequest { Method = "resources/read" }, new ReadResourceRequestParams { Uri = "notes://secrets" });

        var refused = await Assert.ThrowsAsync<McpProtocolException>(async () => await secrets.ReadAsync(request));

        Assert.StartsWith("Refused: the resource 'notes.resource:secrets' was not read.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, _secretsRuns);
    }

    [Fact]
    public async Task A_category_that_needs_an_approval_is_neither_listed_nor_served()
    {
        var host = Host();
        var mei = await ConnectAsync(host, AuthenticatedTransport.Token("00u-mei"));

        // mei's role allows tool.drafts only with an approval, which MCP has no way to ask for.
        Assert.Equal(["today"], await ResourcesAsync(mei));
        var refused = await Assert.ThrowsAsync<McpProtocolException>(() => ReadAsync(mei, "notes://drafts"));
        Assert.Contains("Refused: the resource 'notes.resource:drafts' was not read.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, _draftsRuns);
    }

    [Fact]
    public async Task A_rule_naming_a_misspelt_category_of_a_resource_stays_a_configuration_error()
    {
        var typo = Yaml.Replace("allow: [tool.memory,", "allow: [tool.secrts, tool.memory,", StringComparison.Ordinal);
        var host = new HermesHost(typo, folder: new TempDirectory("mcp-yaml"));
        _owned.Add(host);

        var error = await Assert.ThrowsAsync<IdentityConfigException>(async () => await host.Resolver.ResolveAsync(new SenderEnvelope("corp", "00u-mei")));

        Assert.Contains("'tool.secrts'", error.Message, StringComparison.Ordinal);
        Assert.Contains("matches no known action", error.Message, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }
}
