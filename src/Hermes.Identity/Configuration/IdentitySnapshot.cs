using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Hermes.Identity.Configuration.Roles;
using Hermes.Identity.Configuration.Yaml;
using Hermes.Identity.Directories;

namespace Hermes.Identity;

/// <summary>
/// One loaded, validated identity configuration: the people, the roles and the tool categories.
/// Immutable: a reload builds a new snapshot and swaps it whole, so every decision sees one
/// snapshot and records its <see cref="Revision"/>.
/// </summary>
public sealed class IdentitySnapshot
{
    // The largest identities file accepted, in bytes (1 MiB): about 15,000 people with one account each. It bounds the
    // time and memory a reload takes; more people than that need a directory kept in a database, not one file.
    internal const int MaxFileBytes = 1 << 20;

    private readonly FrozenDictionary<PlatformPrincipal, AgentProfile> _accounts;
    private readonly FrozenDictionary<string, AgentProfile> _profiles;
    private readonly FrozenDictionary<string, RoleDefinition> _roles;
    private readonly FrozenDictionary<string, string> _tools;
    private readonly DirectoryPeople? _directory;
    private readonly FrozenSet<string> _shadowed;

    internal IdentitySnapshot(
        string revision,
        string source,
        string root,
        UnknownSenderPolicy unknownSenders,
        FrozenDictionary<string, AgentProfile> profiles,
        FrozenDictionary<PlatformPrincipal, AgentProfile> accounts,
        FrozenDictionary<string, RoleDefinition> roles,
        FrozenDictionary<string, string> tools,
        DirectoryPeople? directory = null,
        FrozenSet<string>? shadowed = null)
    {
        Revision = revision;
        Source = source;
        Root = root;
        UnknownSenders = unknownSenders;
        _profiles = profiles;
        _accounts = accounts;
        Roles = _roles = roles;
        Tools = _tools = tools;
        _directory = directory;
        _shadowed = shadowed ?? FrozenSet<string>.Empty;
        var table = RoleTable.Build(roles, profiles, tools, unknownSenders);
        RoleTable = directory is null ? table : table.WithDirectory(directory);
        Profiles = directory is null ? profiles : new LayeredProfiles(profiles, directory, _shadowed, root);
    }

    // The same configuration with another version of the directory's people: the configured part and its compiled roles
    // are shared, not rebuilt, so a directory change costs what the change is, not what the directory is.
    private IdentitySnapshot(IdentitySnapshot configured, string revision, DirectoryPeople directory, FrozenSet<string> shadowed)
    {
        Revision = revision;
        Source = configured.Source;
        Root = configured.Root;
        UnknownSenders = configured.UnknownSenders;
        _profiles = configured._profiles;
        _accounts = configured._accounts;
        Roles = _roles = configured._roles;
        Tools = _tools = configured._tools;
        _directory = directory;
        _shadowed = shadowed;
        RoleTable = configured.RoleTable.WithDirectory(directory);
        Profiles = new LayeredProfiles(_profiles, directory, shadowed, Root);
    }

    /// <summary>
    /// A hash of the file's content: the same file gives the same revision. With an identity directory (docs/directory.md) it is
    /// followed by <c>+d</c> and the directory's version, such as <c>3f2a9c01d4e5b6a7+d1207</c>. With paired people (<c>unknown_senders: pair</c>,
    /// docs/pairing.md) it is followed by <c>+p</c> and the version of the paired accounts in the state store, such as
    /// <c>3f2a9c01d4e5b6a7+p42</c>, so every decision records which state decided.
    /// </summary>
    public string Revision { get; }

    /// <summary>Where the configuration was read from.</summary>
    internal string Source { get; }

    /// <summary>The full path of the data root the profiles' paths are under.</summary>
    public string Root { get; }

    /// <summary>What happens to senders who are not listed.</summary>
    public UnknownSenderPolicy UnknownSenders { get; }

    /// <summary>The configured people, by profile key, the people of the identity directory (docs/directory.md) and the people admitted through pairing.</summary>
    public IReadOnlyDictionary<string, AgentProfile> Profiles { get; }

    /// <summary>Every role in force, built-in and configured, by name.</summary>
    internal IReadOnlyDictionary<string, RoleDefinition> Roles { get; }

    /// <summary>
    /// The <c>tools:</c> map in force: tool name to category (<c>terminal</c> → <c>exec</c>; the action of a call is
    /// <c>tool.&lt;category&gt;</c>). A tool not listed is denied to every role that does not allow every tool.
    /// </summary>
    public IReadOnlyDictionary<string, string> Tools { get; }

    /// <summary>The roles compiled into lookups, once per snapshot: what the built-in RBAC backend decides with.</summary>
    internal RoleTable RoleTable { get; }

    /// <summary>Finds the configured (or paired) profile that the account (<paramref name="platform"/>, <paramref name="userId"/>) belongs to. The user id is compared ordinally.</summary>
    public bool TryGetProfile(string platform, string userId, [NotNullWhen(true)] out AgentProfile? profile)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(userId);
        return TryGetProfile(new PlatformPrincipal(SenderEnvelope.NormalizePlatform(platform), userId), out profile);
    }

    // identities.yaml (and pairing) first; then the directory, whose people identities.yaml overrides are not there.
    internal bool TryGetProfile(PlatformPrincipal principal, [NotNullWhen(true)] out AgentProfile? profile)
    {
        if (_accounts.TryGetValue(principal, out profile))
        {
            return true;
        }

        if (_directory is not null && _directory.TryGetByAccount(principal, out var person)
            && (_shadowed.Count == 0 || !_shadowed.Contains(person.Key)))
        {
            profile = person.ProfileUnder(Root);
            return true;
        }

        return false;
    }

    /// <summary>The people of identities.yaml and those paired: without the directory's.</summary>
    internal IReadOnlyDictionary<string, AgentProfile> ConfiguredProfiles => _profiles;

    /// <summary>The directory's people in force with this snapshot, or <see langword="null"/> without a directory.</summary>
    internal DirectoryPeople? DirectoryLayer => _directory;

    /// <summary>The directory's keys identities.yaml overrides.</summary>
    internal FrozenSet<string> Shadowed => _shadowed;

    /// <summary>This configuration with <paramref name="directory"/>'s people, under <paramref name="revision"/>; <paramref name="shadowed"/> are the directory keys identities.yaml overrides.</summary>
    internal IdentitySnapshot WithDirectory(string revision, DirectoryPeople directory, FrozenSet<string> shadowed) =>
        new(this, revision, directory, shadowed);

    /// <summary>
    /// Where the data of profile <paramref name="profileKey"/> lives under this configuration's data root, whether
    /// or not the profile is configured (a guest's, or one that was removed): for operators' tools that reach
    /// another person's data through the policy-checked APIs.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="profileKey"/> is not a valid profile key.</exception>
    public ProfilePaths GetPaths(string profileKey) => ProfilePaths.For(Root, profileKey);

    /// <summary>Reads identities.yaml text.</summary>
    /// <param name="yaml">The file's content.</param>
    /// <param name="root">The data root the profiles' folders are under.</param>
    /// <param name="source">The name used in error messages.</param>
    /// <exception cref="IdentityConfigException">The text is not a valid identities file; the message says where and what to fix.</exception>
    internal static IdentitySnapshot Parse(string yaml, string root, string source = "identities.yaml")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(source);
        return IdentitiesYamlReader.Read(yaml, source, root);
    }

    /// <summary>Reads an identities.yaml file.</summary>
    /// <remarks>
    /// The file is read in one go, so a writer should replace it by rename (write a temporary file in the same folder,
    /// then rename it over): a reader then sees the old file or the new one, never half of one.
    /// Symbolic links are followed.
    /// </remarks>
    /// <param name="path">The file.</param>
    /// <param name="root">The data root the profiles' folders are under.</param>
    /// <exception cref="IdentityConfigException">The file is missing, too large or not valid; the message says where and what to fix.</exception>
    internal static IdentitySnapshot Load(string path, string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxFileBytes)
            {
                throw new IdentityConfigException(path, 1, 1, TooLarge($"{stream.Length:N0} bytes ({stream.Length / 1048576.0:0.0} MiB)"));
            }

            // Read one byte past the limit so a file that grew after the length check is still refused.
            var buffer = new byte[MaxFileBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0)
            {
                read += n;
            }

            if (read > MaxFileBytes)
            {
                throw new IdentityConfigException(path, 1, 1, TooLarge($"over {MaxFileBytes:N0} bytes"));
            }

            text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, read).TrimStart('\uFEFF');
        }
        catch (FileNotFoundException)
        {
            throw new IdentityConfigException(path, 1, 1, $"The identities file does not exist. Create it (see README, \"identities.yaml\") or point AddYamlIdentities at the right path. Full path: {Path.GetFullPath(path)}");
        }
        catch (DirectoryNotFoundException)
        {
            throw new IdentityConfigException(path, 1, 1, $"The folder of the identities file does not exist. Full path: {Path.GetFullPath(path)}");
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new IdentityConfigException(path, 1, 1, "The file is not valid UTF-8 text. Save it as UTF-8.");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IdentityConfigException(path, 1, 1, $"The file cannot be read: {ex.Message}");
        }
        catch (IOException ex)
        {
            // A symbolic link loop, a folder where the file should be, a read error: the reload thread must get an answer, not a crash.
            throw new IdentityConfigException(path, 1, 1, $"The file cannot be read: {ex.Message}");
        }

        return IdentitiesYamlReader.Read(text, path, root);
    }

    // The cap bounds how long a reload takes and how much memory it holds; the message says what it means in people and
    // what to do, since a file this large is usually a real deployment that has outgrown one file, not the wrong file.
    // About 15,000: a person written as in the README (a short key, a role, one account) takes about 70 bytes.
    private static string TooLarge(string size) =>
        $"The file is {size}; an identities file is limited to {MaxFileBytes:N0} bytes (1 MiB), which is about 15,000 people " +
        "with one account each, fewer with display names, several accounts or comments. The limit bounds the time and memory a reload takes. " +
        "Keep notes and long comments about people out of this file; for more people than that, keep roles and tools here and the people in an identity directory, a database table " +
        "(AddSqliteDirectory(), or a table in PostgreSQL): see docs/directory.md.";

    /// <summary>Whether this is the snapshot that admits nobody (<see cref="DenyAll"/>): nothing may be added to it.</summary>
    internal bool IsDenyAll => string.Equals(Revision, DenyAllRevision, StringComparison.Ordinal);

    /// <summary>
    /// This snapshot with people added or given more accounts (the people paired or linked at run time), under
    /// <paramref name="revision"/>. Each profile in <paramref name="people"/> replaces the one of the same key, if any,
    /// and every one of its accounts maps to it. The caller decides conflicts: the configured entries must win.
    /// </summary>
    internal IdentitySnapshot WithPeople(string revision, IReadOnlyCollection<AgentProfile> people)
    {
        ArgumentException.ThrowIfNullOrEmpty(revision);
        ArgumentNullException.ThrowIfNull(people);
        var profiles = new Dictionary<string, AgentProfile>(_profiles, StringComparer.Ordinal);
        var accounts = new Dictionary<PlatformPrincipal, AgentProfile>(_accounts);
        foreach (var person in people)
        {
            profiles[person.Key] = person;
            foreach (var account in person.Principals)
            {
                accounts[account] = person;
            }
        }

        return new IdentitySnapshot(
            revision,
            Source,
            Root,
            UnknownSenders,
            profiles.ToFrozenDictionary(StringComparer.Ordinal),
            accounts.ToFrozenDictionary(),
            _roles,
            _tools,
            _directory,
            _shadowed);
    }

    private const string DenyAllRevision = "deny-all";

    /// <summary>A snapshot that admits nobody: used when the host asked to deny everything while the file is invalid.</summary>
    internal static IdentitySnapshot DenyAll(string root, string source) => new(
        DenyAllRevision,
        source,
        Path.GetFullPath(root),
        UnknownSenderPolicy.Deny,
        FrozenDictionary<string, AgentProfile>.Empty,
        FrozenDictionary<PlatformPrincipal, AgentProfile>.Empty,
        BuiltInRoles.Definitions.ToFrozenDictionary(StringComparer.Ordinal),
        FrozenDictionary<string, string>.Empty);
}
