using Xunit;

namespace Hermes.Identity.TestSupport;

/// <summary>
/// One <see cref="PostgresServer"/> for a whole test assembly (<c>[assembly: AssemblyFixture(typeof(PostgresFixture))]</c>),
/// started once; each test takes a fresh schema in it. When no server can be started, <see cref="Require"/> skips the
/// test with the reason, or fails it when <c>HERMES_REQUIRE_POSTGRES=1</c>.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;
    private string? _failure;

    public async ValueTask InitializeAsync()
    {
        try
        {
            _server = await PostgresServer.StartNewAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            _failure = ex.Message;
        }
    }

    /// <summary>The running server; skips (or, when required, fails) the calling test when there is none.</summary>
    public PostgresServer Require()
    {
        if (_server is not null)
        {
            return _server;
        }

        var reason = $"No PostgreSQL server could be started for the tests: {_failure}";
        if (PostgresServer.Required)
        {
            Assert.Fail(reason + " (HERMES_REQUIRE_POSTGRES=1, so this fails instead of skipping).");
        }

        Assert.Skip(reason);
        return null!;
    }

    /// <summary>Skips or fails like <see cref="Require"/> when starting a server of one's own is impossible.</summary>
    public static async Task<PostgresServer> StartOwnAsync()
    {
        try
        {
            return await PostgresServer.StartNewAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            var reason = $"No PostgreSQL server could be started for the test: {ex.Message}";
            if (PostgresServer.Required)
            {
                Assert.Fail(reason);
            }

            Assert.Skip(reason);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
