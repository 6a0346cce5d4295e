namespace Hermes.Identity.Directories;

/// <summary>
/// One person of an <see cref="IIdentityDirectory"/>: a profile key, a role defined in identities.yaml, a display name and
/// the accounts that are this person. A directory person has exactly their role's rules (per-person rules, budgets and
/// <c>automated:</c> stay in identities.yaml). Immutable.
/// </summary>
public sealed class DirectoryPerson
{
    /// <summary>The most accounts one directory person may have.</summary>
    public const int MaxAccounts = 64;

    // One account (almost everyone): the account string itself, so a million people loaded from a directory hold no list
    // each; several: the list given.
    private readonly object _accounts;
    private AgentProfile? _profile;

    /// <summary>Creates a directory entry.</summary>
    /// <param name="key">The profile key (see <see cref="ProfileKey.IsValid"/>): 1 to 64 of a-z, 0-9, '-' or '_'.</param>
    /// <param name="role">A role defined in identities.yaml (a person whose role is not defined may do nothing).</param>
    /// <param name="displayName">How the person is named; <see langword="null"/> or empty: the key.</param>
    /// <param name="accounts">
    /// The accounts, each <c>platform:user id</c> as in <see cref="AgentProfile.Accounts"/>, such as <c>telegram:732113076</c>:
    /// the platform lower-case (1 to 32 of a-z, 0-9, '-' or '_'), the user id as the platform gives it. 1 to <see cref="MaxAccounts"/>.
    /// </param>
    /// <exception cref="ArgumentException">The key, the role or an account is not valid; the message says which and why.</exception>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="displayName"/> is <see langword="null"/>.</exception>
    public DirectoryPerson(string key, string role, string? displayName, IReadOnlyList<string> accounts)
    {
        ProfileKey.ThrowIfInvalid(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        ArgumentNullException.ThrowIfNull(accounts);
        if (accounts.Count is 0 or > MaxAccounts)
        {
            throw new ArgumentException($"Directory person '{key}' has {accounts.Count} accounts; give 1 to {MaxAccounts}, each 'platform:user id' such as 'telegram:732113076'.", nameof(accounts));
        }

        for (var i = 0; i < accounts.Count; i++)
        {
            ValidateAccount(key, accounts[i]);
        }

        Key = key;
        Role = role;
        DisplayName = string.IsNullOrEmpty(displayName) ? key : displayName;
        _accounts = accounts.Count == 1 ? accounts[0] : accounts;
    }

    /// <summary>The profile key.</summary>
    public string Key { get; }

    /// <summary>The role, defined in identities.yaml.</summary>
    public string Role { get; }

    /// <summary>How the person is named (the key when none was given).</summary>
    public string DisplayName { get; }

    /// <summary>The accounts, each <c>platform:user id</c>.</summary>
    public IReadOnlyList<string> Accounts => _accounts as IReadOnlyList<string> ?? [(string)_accounts];

    // The accounts without making a list: for the directory's lookups.
    internal int AccountCount => _accounts is IReadOnlyList<string> list ? list.Count : 1;

    internal string AccountAt(int index) => _accounts as string ?? ((IReadOnlyList<string>)_accounts)[index];

    /// <inheritdoc/>
    public override string ToString() => $"{Key} ({Role})";

    // The profile this entry resolves to under a data root: made the first time the person is resolved, then kept.
    internal AgentProfile ProfileUnder(string fullRoot)
    {
        var profile = Volatile.Read(ref _profile);
        if (profile is not null && string.Equals(profile.Root, fullRoot, StringComparison.Ordinal))
        {
            return profile;
        }

        var principals = new PlatformPrincipal[AccountCount];
        for (var i = 0; i < principals.Length; i++)
        {
            var account = AccountAt(i);
            var colon = account.IndexOf(':', StringComparison.Ordinal);
            principals[i] = new PlatformPrincipal(string.Intern(account[..colon]), account[(colon + 1)..]);
        }

        profile = new AgentProfile(Key, Role, fullRoot) { DisplayName = DisplayName, Principals = principals };
        Volatile.Write(ref _profile, profile);
        return profile;
    }

    private static void ValidateAccount(string key, string? account)
    {
        ArgumentNullException.ThrowIfNull(account, nameof(account));
        var colon = account.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon > 32 || colon == account.Length - 1 || !IsPlatform(account.AsSpan(0, colon)))
        {
            throw new ArgumentException(
                $"Account '{SenderEnvelope.Printable(account)}' of directory person '{key}' is not 'platform:user id' with a lower-case platform (1 to 32 of a-z, 0-9, '-' or '_'), such as 'telegram:732113076'.",
                nameof(account));
        }

        var userId = account.AsSpan(colon + 1);
        if (userId.Length > SenderEnvelope.MaxIdLength || userId.ContainsAnyInRange('\u0000', '\u001F') || userId.Contains('\u007F') || userId.ContainsAnyInRange('\u0080', '\u009F'))
        {
            throw new ArgumentException(
                $"Account '{SenderEnvelope.Printable(account)}' of directory person '{key}' has a user id longer than {SenderEnvelope.MaxIdLength} characters or holding a control character; platform ids never do.",
                nameof(account));
        }
    }

    private static bool IsPlatform(ReadOnlySpan<char> platform)
    {
        if (!char.IsAsciiLetterLower(platform[0]) && !char.IsAsciiDigit(platform[0]))
        {
            return false;
        }

        foreach (var c in platform)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }
}
