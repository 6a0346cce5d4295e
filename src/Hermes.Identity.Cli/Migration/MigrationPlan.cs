using System.Security.Cryptography;
using Hermes.Identity.Cli.Output;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Cli.Migration;

/// <summary>
/// What migrating a Hermes home would do, worked out without writing anything: the people (the owner, the fork's
/// identities.yaml, allow-listed and paired accounts — never owner), the owner's memory, and whose profile each
/// conversation goes to. A conversation of an account nobody has is reported, never given to the owner.
/// </summary>
internal sealed class MigrationPlan
{
    private MigrationPlan(MigrationOptions options)
    {
        Options = options;
    }

    public MigrationOptions Options { get; }

    public int SchemaVersion { get; private set; }

    public HermesStateReader? State { get; private set; }

    public string? StateDigest { get; private set; }

    public HermesMemoryFile Notes { get; private set; } = null!;

    public HermesMemoryFile User { get; private set; } = null!;

    /// <summary>Everyone in the data root after the migration (configured people and migrated ones).</summary>
    public List<PlannedPerson> People { get; } = [];

    /// <summary>People the Hermes home knows that an existing identities.yaml lacks: to add by hand.</summary>
    public List<PlannedPerson> PeopleToAdd { get; } = [];

    /// <summary>The identities.yaml to write (a data root without one), or <see langword="null"/>.</summary>
    public string? NewIdentitiesYaml { get; private set; }

    public List<SessionAssignment> Sessions { get; } = [];

    public List<string> Warnings { get; } = [];

    public static MigrationPlan Build(MigrationOptions options)
    {
        var plan = new MigrationPlan(options);
        var home = options.Home;
        if (!Directory.Exists(home))
        {
            throw new CliException(ExitCodes.NotFound, $"{home} does not exist: give the Hermes home (usually ~/.hermes).");
        }

        var stateDb = Path.Combine(home, "state.db");
        var memories = Path.Combine(home, "memories");
        if (!File.Exists(stateDb) && !Directory.Exists(memories))
        {
            throw new CliException(ExitCodes.NotFound, $"{home} has neither state.db nor memories/: is it a Hermes home (usually ~/.hermes)?");
        }

        plan.Notes = HermesMemoryFile.Read(Path.Combine(memories, "MEMORY.md"), HermesMemoryFile.NotesLimit);
        plan.User = HermesMemoryFile.Read(Path.Combine(memories, "USER.md"), HermesMemoryFile.UserLimit);
        if (File.Exists(stateDb))
        {
            plan.State = HermesStateReader.Read(stateDb);
            plan.SchemaVersion = plan.State.SchemaVersion;
            using var stream = File.OpenRead(stateDb);
            plan.StateDigest = Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
        }

        var existing = Path.Combine(options.Root, "identities.yaml");
        var accounts = HermesPeopleReader.Read(home, plan.Warnings);
        if (File.Exists(existing))
        {
            plan.PlanIntoExistingRoot(existing, accounts);
        }
        else
        {
            plan.PlanNewRoot(accounts);
        }

        plan.AssignSessions();
        return plan;
    }

    private void PlanNewRoot(IReadOnlyList<HermesAccount> accounts)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal) { Options.Owner };
        var fork = Path.Combine(Options.Home, "identities.yaml");
        var forkPeople = File.Exists(fork) ? ForkIdentities.Read(fork, Options.Owner, taken, Warnings) : [];
        var forkOwner = forkPeople.FirstOrDefault(p => p.Key == Options.Owner);
        var ownerAccounts = Options.OwnerAccounts.Concat(forkOwner?.Accounts ?? []).Distinct().ToList();
        if (ownerAccounts.Count == 0)
        {
            throw new CliException(ExitCodes.Usage, $"The owner '{Options.Owner}' needs at least one account, so the library can begin their turns: pass --owner-account PLATFORM:ID (the owner's own id on a platform Hermes served, e.g. telegram:732113076).");
        }

        People.Add(new PlannedPerson(Options.Owner, Options.OwnerName ?? forkOwner?.DisplayName, BuiltInRoles.Owner, ownerAccounts, "owner (--owner)"));
        var claimed = new HashSet<(string, string)>(ownerAccounts);
        foreach (var person in forkPeople.Where(p => p.Key != Options.Owner))
        {
            var own = person.Accounts.Where(claimed.Add).ToList();
            if (own.Count < person.Accounts.Count)
            {
                Warnings.Add($"{person.Key}: an account of theirs in the fork file belongs to someone listed before; kept with the first.");
            }

            People.Add(person with { Accounts = own });
        }

        foreach (var account in accounts)
        {
            if (!claimed.Add((account.Platform, account.UserId)))
            {
                continue; // the owner's own id in an allow-list, or someone the fork file names
            }

            var role = account.Origin == "paired" ? Options.PairedRole : Options.AllowedRole;
            var key = ProfileKeys.Make(account.Name, $"{account.Platform}-{account.UserId}", taken);
            People.Add(new PlannedPerson(key, account.Name, role, [(account.Platform, account.UserId)], account.Origin));
        }

        foreach (var person in People.Where(p => p.Accounts.Count == 0).ToList())
        {
            Warnings.Add($"{person.Key} has no account left: not written to identities.yaml (a profile needs an account).");
            People.Remove(person);
        }

        NewIdentitiesYaml = IdentitiesYamlWriter.Write(People, Options.Home);
        CheckWithLibrary(NewIdentitiesYaml);
    }

    private void PlanIntoExistingRoot(string existing, IReadOnlyList<HermesAccount> accounts)
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = Options.Root);
        using var provider = services.BuildServiceProvider();
        var snapshot = provider.GetRequiredService<IIdentitySnapshotProvider>().Current;
        if (!snapshot.Profiles.TryGetValue(Options.Owner, out var owner) || owner.Role != BuiltInRoles.Owner)
        {
            throw new CliException(ExitCodes.Usage, $"{existing} has no profile '{Options.Owner}' with role owner: give the owner's key with --owner.");
        }

        if (Options.OwnerAccounts.Count > 0 || File.Exists(Path.Combine(Options.Home, "identities.yaml")))
        {
            Warnings.Add($"The data root already has {existing}: it is left as it is (--owner-account and the home's identities.yaml are not applied). Edit it by hand to add accounts.");
        }

        foreach (var profile in snapshot.Profiles.Values.Where(p => !p.IsGuest))
        {
            People.Add(new PlannedPerson(profile.Key, profile.DisplayName, profile.Role, [.. profile.Accounts.Select(Split)], "identities.yaml"));
        }

        var taken = new HashSet<string>(snapshot.Profiles.Keys, StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            if (snapshot.TryGetProfile(account.Platform, account.UserId, out _))
            {
                continue;
            }

            var role = account.Origin == "paired" ? Options.PairedRole : Options.AllowedRole;
            PeopleToAdd.Add(new PlannedPerson(ProfileKeys.Make(account.Name, $"{account.Platform}-{account.UserId}", taken), account.Name, role, [(account.Platform, account.UserId)], account.Origin));
        }

        if (PeopleToAdd.Count > 0)
        {
            Warnings.Add($"{PeopleToAdd.Count} account(s) Hermes let in are not in {existing}: their conversations are not imported. Add them (see people_to_add in the report) and run the migration again.");
        }
    }

    private static void CheckWithLibrary(string yaml)
    {
        var folder = Directory.CreateTempSubdirectory("hermes-identity-check-");
        try
        {
            var file = Path.Combine(folder.FullName, "identities.yaml");
            File.WriteAllText(file, yaml);
            var services = new ServiceCollection();
            services.AddHermesIsolation(o => o.Root = folder.FullName);
            using var provider = services.BuildServiceProvider();
            _ = provider.GetRequiredService<IIdentitySnapshotProvider>().Current;
        }
        catch (IdentityConfigException ex)
        {
            throw new CliException(ExitCodes.Problems, "The identities.yaml the migration would write is refused by the library: " + ex.Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private void AssignSessions()
    {
        if (State is null)
        {
            return;
        }

        var byAccount = new Dictionary<(string, string), PlannedPerson>();
        foreach (var person in People)
        {
            foreach (var account in person.Accounts)
            {
                byAccount.TryAdd(account, person);
            }
        }

        var owner = People.First(p => p.Key == Options.Owner);
        foreach (var session in State.Sessions)
        {
            var chatId = session.ChatId ?? "hermes-" + session.Source;
            if (string.IsNullOrEmpty(session.UserId))
            {
                // No user id: the owner's own use of Hermes (the CLI, cron jobs), on their first account.
                var (platform, id) = owner.Accounts[0];
                Sessions.Add(new SessionAssignment(session, owner.Key, new SenderEnvelope(platform, id, chatId, session.ChatKind), null));
            }
            else if (byAccount.TryGetValue((session.Source, session.UserId), out var person))
            {
                Sessions.Add(new SessionAssignment(session, person.Key, new SenderEnvelope(session.Source, session.UserId, chatId, session.ChatKind), null));
            }
            else
            {
                var waiting = PeopleToAdd.FirstOrDefault(p => p.Accounts.Contains((session.Source, session.UserId)));
                Sessions.Add(new SessionAssignment(session, null, null, waiting is not null
                    ? $"{session.Source}:{session.UserId} is {waiting.Key} of people_to_add, not yet in identities.yaml"
                    : $"{session.Source}:{session.UserId} belongs to no known person (if it is the owner's, pass --owner-account {session.Source}:{session.UserId})"));
            }
        }
    }

    private static (string, string) Split(string account)
    {
        var colon = account.IndexOf(':', StringComparison.Ordinal);
        return (account[..colon], account[(colon + 1)..]);
    }
}
