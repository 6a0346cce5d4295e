using System.Buffers;
using System.Text.Json;
using Hermes.Identity.AgentFramework.Internal;
using Hermes.Identity.State;
using Microsoft.Agents.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.AgentFramework.Sessions;

#pragma warning disable MAAI001 // AgentSessionStore and AgentSessionStoreKey are experimental in Microsoft.Agents.AI 1.28

/// <summary>
/// An Agent Framework <see cref="AgentSessionStore"/> keyed by profile: each person's serialized
/// <see cref="AgentSession"/>s are kept apart from everyone else's, durably (in the identity state store,
/// <c>AddSqliteState()</c>), and one person's session never loads for another.
/// </summary>
/// <remarks>
/// <para>
/// Every call runs in a turn (<c>ITurnScopeFactory.BeginTurn</c>), and the turn's profile is part of every key: the
/// key a host passes (<see cref="AgentSessionStoreKey.SessionId"/> and its partitions) names a session <em>of the turn's
/// person</em>, so two people using the same session id get two sessions. A key whose <see cref="ProfilePartition"/>
/// partition names another profile is refused, and so is a session stamped for another person (saving) or a stored
/// session whose owner is not the turn's person (loading): <see cref="AccessDeniedException"/>, action
/// <c>agent.session</c>.
/// </para>
/// <para>
/// The agent must keep its history with <see cref="HermesChatHistoryProvider"/>: the conversation then lives in the
/// person's own session store (one SQLite file per person with <c>AddSqliteSessions()</c>, exported and erased with
/// their data), stored once and sent once, and the saved <see cref="AgentSession"/> holds only which person and which
/// stored conversation it belongs to, plus what other providers of the agent keep in its state. The agent needs a
/// stable <see cref="ChatClientAgentOptions.Id"/>, which is part of the key (Agent Framework makes up a random one per
/// instance otherwise, and a restarted host would find nothing).
/// </para>
/// </remarks>
public sealed class HermesAgentSessionStore : AgentSessionStore
{
    /// <summary>
    /// The partition name that names the profile in an <see cref="AgentSessionStoreKey"/>: <c>hermes.profile</c>.
    /// Optional (the turn's profile is always part of the key); when present it must be the turn's profile key.
    /// </summary>
    public static readonly string ProfilePartition = "hermes.profile";

    private const string RecordKind = "agent.session";

    private readonly ICurrentProfile _current;
    private readonly IIdentityStateStore _state;
    private readonly ILogger _logger;

    /// <summary>Creates the store on the host's services.</summary>
    /// <param name="services">The service provider <c>AddHermesIsolation(...).AddSqliteState()</c> filled.</param>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="services"/> has no Hermes.Identity services or no state store.</exception>
    public HermesAgentSessionStore(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _current = services.GetService<ICurrentProfile>() ?? throw new InvalidOperationException(
            "HermesAgentSessionStore needs Hermes.Identity's services: call services.AddHermesIsolation(...) and pass the provider it filled.");
        _state = services.GetService<IIdentityStateStore>() ?? throw new InvalidOperationException(
            "HermesAgentSessionStore keeps sessions in the identity state store: call AddSqliteState() (Hermes.Identity.Sqlite) on AddHermesIsolation(...), or register an IIdentityStateStore.");
        _logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.AgentFramework");
    }

    /// <inheritdoc/>
    /// <exception cref="NoActiveTurnException">No turn is in progress.</exception>
    /// <exception cref="AccessDeniedException">The key names another profile, or the session belongs to another person.</exception>
    /// <exception cref="InvalidOperationException">The agent has no stable id or does not keep its history with <see cref="HermesChatHistoryProvider"/>.</exception>
    public override async ValueTask SaveSessionAsync(AIAgent agent, AgentSessionStoreKey key, AgentSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var (turn, recordKey) = Locate(agent, key);
        try
        {
            SessionOwner.Claim(session, turn); // stamps a new session for the turn's person; refuses someone else's
        }
        catch (AccessDeniedException)
        {
            Log.SessionRefused(_logger, SessionOwner.Of(session) ?? "?", turn.Sender);
            throw;
        }

        var serialized = await agent.SerializeSessionAsync(session, cancellationToken: cancellationToken).ConfigureAwait(false);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("profile", turn.Profile.Key);
            writer.WritePropertyName("session");
            serialized.WriteTo(writer);
            writer.WriteEndObject();
        }

        var data = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (!await _state.TryCommitAsync([StateChange.Put(RecordKind, recordKey, data, expectedVersion: null)], cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("The state store refused an unconditional write of the agent session; it does not follow the IIdentityStateStore contract (docs/state.md).");
        }
    }

    /// <inheritdoc/>
    /// <exception cref="NoActiveTurnException">No turn is in progress.</exception>
    /// <exception cref="AccessDeniedException">The key names another profile, or the stored session belongs to another person.</exception>
    /// <exception cref="InvalidOperationException">The agent has no stable id or does not keep its history with <see cref="HermesChatHistoryProvider"/>.</exception>
    public override async ValueTask<AgentSession?> GetSessionAsync(AIAgent agent, AgentSessionStoreKey key, CancellationToken cancellationToken = default)
    {
        var (turn, recordKey) = Locate(agent, key);
        var record = await _state.GetAsync(RecordKind, recordKey, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(record.Data);
        var root = document.RootElement;
        var owner = root.TryGetProperty("profile", out var profile) && profile.ValueKind == JsonValueKind.String ? profile.GetString() : null;
        var session = await agent.DeserializeSessionAsync(root.GetProperty("session"), cancellationToken: cancellationToken).ConfigureAwait(false);

        // The record is under this person's key; a stamp for anyone else means it was put there by hand: refuse it.
        if (!string.Equals(owner, turn.Profile.Key, StringComparison.Ordinal) || SessionOwner.Of(session) is { } stamped && !string.Equals(stamped, turn.Profile.Key, StringComparison.Ordinal))
        {
            Log.SessionRefused(_logger, SessionOwner.Of(session) ?? owner ?? "?", turn.Sender);
            throw SessionOwner.Refused("The stored agent session belongs to another person than the one whose turn this is; it is not loaded. Delete the record (DeleteSessionAsync in the owner's turn) and start a new session.", turn.Revision);
        }

        return session;
    }

    /// <inheritdoc/>
    /// <exception cref="NoActiveTurnException">No turn is in progress.</exception>
    /// <exception cref="AccessDeniedException">The key names another profile.</exception>
    /// <exception cref="InvalidOperationException">The agent has no stable id or does not keep its history with <see cref="HermesChatHistoryProvider"/>.</exception>
    public override async ValueTask DeleteSessionAsync(AIAgent agent, AgentSessionStoreKey key, CancellationToken cancellationToken = default)
    {
        var (_, recordKey) = Locate(agent, key);
        await _state.TryCommitAsync([StateChange.Delete(RecordKind, recordKey, expectedVersion: null)], cancellationToken).ConfigureAwait(false);
    }

    // The turn, and the record key: the turn's profile, the agent's id, the session id and the other partitions in
    // ordinal order, as a JSON array (unambiguous whatever the strings hold).
    private (TurnContext Turn, string RecordKey) Locate(AIAgent agent, AgentSessionStoreKey key)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(key);
        var turn = _current.Turn; // NoActiveTurnException outside a turn
        var chatAgent = agent.GetService<ChatClientAgent>();
        if (chatAgent?.ChatHistoryProvider is not HermesChatHistoryProvider)
        {
            throw new InvalidOperationException(
                "HermesAgentSessionStore keeps sessions of a ChatClientAgent whose ChatHistoryProvider is a HermesChatHistoryProvider: the " +
                "conversation then stays in the person's own session store and the saved session holds no messages. Set " +
                "ChatClientAgentOptions.ChatHistoryProvider = new HermesChatHistoryProvider(currentProfile).");
        }

        if (chatAgent.GetService<ChatClientAgentOptions>()?.Id is not { Length: > 0 } agentId)
        {
            throw new InvalidOperationException(
                "HermesAgentSessionStore needs the agent's stable id, which is part of every key: set ChatClientAgentOptions.Id " +
                "(Agent Framework makes up a random id per agent instance otherwise, and a restarted host would find none of its sessions).");
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(turn.Profile.Key);
            writer.WriteStringValue(agentId);
            writer.WriteStringValue(key.SessionId);
            if (key.Partitions is { } partitions)
            {
                foreach (var (name, value) in partitions.OrderBy(static p => p.Key, StringComparer.Ordinal))
                {
                    if (name == ProfilePartition)
                    {
                        if (!string.Equals(value, turn.Profile.Key, StringComparison.Ordinal))
                        {
                            Log.SessionRefused(_logger, value, turn.Sender);
                            throw SessionOwner.Refused("The session key names another person's profile (partition hermes.profile); a session is only ever loaded, saved or deleted in its own person's turn.", turn.Revision);
                        }

                        continue;
                    }

                    writer.WriteStartArray();
                    writer.WriteStringValue(name);
                    writer.WriteStringValue(value);
                    writer.WriteEndArray();
                }
            }

            writer.WriteEndArray();
        }

        return (turn, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
