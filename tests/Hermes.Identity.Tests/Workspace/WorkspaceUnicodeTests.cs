using System.Globalization;
using System.Text;
using Hermes.Identity.Policy;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Workspace;

// One name, one file: "café" typed with é (NFC) or with e and a combining accent (NFD) names the same
// file, and the policy is asked about the name the file system will use, so a rule about one spelling
// holds for every spelling.
public sealed class WorkspaceUnicodeTests
{
    private const string Mei = "222";

    // (NFC, another spelling that NFC turns into it)
    public static TheoryData<string, string> Spellings => new()
    {
        { "secret-caf\u00E9.txt", "secret-cafe\u0301.txt" },     // a combining accent
        { "\u03A9-notes.txt", "\u2126-notes.txt" },              // OHM SIGN, a singleton
        { "\uD55C\uAE00.md", "\u1112\u1161\u11AB\u1100\u1173\u11AF.md" }, // Hangul syllables as conjoining jamo
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Spellings))]
    public async Task Two_spellings_of_one_name_are_one_file_stored_and_listed_in_NFC(string nfc, string other)
    {
        await using var host = NewHost();
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        await ws.WriteAllTextAsync(other, "written under the other spelling", cancellationToken: Ct);
        Assert.Equal("written under the other spelling", await ws.ReadAllTextAsync(nfc, cancellationToken: Ct));
        await ws.WriteAllTextAsync(nfc, "and again", cancellationToken: Ct);
        Assert.Equal("and again", await ws.ReadAllTextAsync(other, cancellationToken: Ct));

        Assert.Equal(new[] { nfc, "notes" }.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(host.Tree.Mei).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var listed = await ws.ListAsync(cancellationToken: Ct);
        Assert.Contains(listed, e => e.Name == nfc);
        Assert.DoesNotContain(listed, e => e.Name == other);

        await ws.CreateDirectoryAsync("d/" + other, cancellationToken: Ct);
        Assert.Equal(["d/" + nfc], (await ws.ListAsync("d", cancellationToken: Ct)).Select(e => e.Path));
        Assert.Equal(WorkspaceEntryKind.Directory, (await ws.GetInfoAsync("d/" + nfc, cancellationToken: Ct)).Kind);
    }

    [Theory]
    [MemberData(nameof(Spellings))]
    public async Task A_policy_that_guards_the_NFC_name_stops_every_spelling_of_it(string nfc, string other)
    {
        var guard = new NameGuard(nfc);
        await using var host = NewHost(more: s => s.AddSingleton<IPolicyBackend>(guard));
        File.WriteAllText(host.Tree.InMei(nfc), "guarded");
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        foreach (var spelling in new[] { nfc, other })
        {
            Assert.Equal(nfc, (await Assert.ThrowsAsync<AccessDeniedException>(() => ws.ReadAllTextAsync(spelling, cancellationToken: Ct).AsTask())).Resource);
            Assert.Equal(nfc, (await Assert.ThrowsAsync<AccessDeniedException>(() => ws.WriteAllTextAsync(spelling, "overwritten", cancellationToken: Ct).AsTask())).Resource);
            Assert.Equal(nfc, (await Assert.ThrowsAsync<AccessDeniedException>(() => ws.DeleteAsync(spelling, cancellationToken: Ct).AsTask())).Resource);
        }

        Assert.Equal("guarded", File.ReadAllText(host.Tree.InMei(nfc)));
        Assert.Equal(6, guard.Seen.Count);
        Assert.All(guard.Seen, resource => Assert.Equal(nfc, resource)); // every question named the NFC spelling
    }

    [Fact]
    public async Task A_path_that_is_not_valid_unicode_is_refused_before_the_policy()
    {
        await using var host = NewHost();
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();
        host.Policy.Requests.Clear();

        foreach (var path in new[] { "a\uD800b.txt", "x\uDC00", "tail\uD83D", "caf\u00E9\uFFFE.txt" })
        {
            var ex = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.WriteAllTextAsync(path, "x", cancellationToken: Ct).AsTask());
            Assert.Equal(WorkspaceAccessReason.InvalidPath, ex.Reason);
            Assert.Contains("not valid", ex.Message, StringComparison.Ordinal);
        }

        Assert.Empty(host.Policy.Requests);
        Assert.Equal(["notes"], Directory.EnumerateFileSystemEntries(host.Tree.Mei).Select(Path.GetFileName));
        Assert.Equal("\U0001F600.txt", WorkspacePath.Validate("\U0001F600.txt", confined: true)); // a whole pair is fine
    }

    // A file named outside the workspace in NFD (by a tool, an unzip, a Mac) is not reached under either
    // spelling through IWorkspace; the NotFound message says why. Export and erasure use the names as listed.
    [Fact]
    public async Task A_file_named_in_NFD_outside_the_workspace_is_not_found_but_export_and_erasure_reach_it()
    {
        await using var host = NewHost();
        const string nfd = "cafe\u0301.txt";
        File.WriteAllText(host.Tree.InMei(nfd), "named outside");
        await using (var turn = host.BeginTurn(Mei))
        {
            var ws = turn.Services.GetRequiredService<IWorkspace>();
            foreach (var spelling in new[] { nfd, "caf\u00E9.txt" })
            {
                var ex = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync(spelling, cancellationToken: Ct).AsTask());
                Assert.Equal(WorkspaceAccessReason.NotFound, ex.Reason);
                Assert.Contains("Unicode NFC", ex.Message, StringComparison.Ordinal);
            }

            Assert.Contains(await ws.ListAsync(cancellationToken: Ct), e => e.Name == nfd); // listed as it is on disk
        }

        using var exact = WorkspaceFileSystem.Open(host.Tree.Mei, confined: true, exactNames: true);
        Assert.Equal("named outside", WorkspaceTree.Read(exact, nfd));
        exact.Delete(nfd);
        Assert.Equal(["notes"], Directory.EnumerateFileSystemEntries(host.Tree.Mei).Select(Path.GetFileName));
    }

    // Where .NET cannot normalise (globalization-invariant mode), a path NFC might change is refused rather
    // than passed on unnormalised; paths already stable under NFC, Chinese included, still work.
    [Fact]
    public void Without_a_normaliser_paths_that_NFC_could_change_are_refused()
    {
        foreach (var stable in new[] { "notes/todo.md", "caf\u00E9.txt", "\u7B14\u8BB0/\u4ECA\u5929.md", "\uD55C\uAE00.md", "\u00FC\u00DF\u00E5.txt", "\U0001F600.txt" })
        {
            Assert.Equal(stable, WorkspacePath.ToNfc(stable, canNormalize: false));
        }

        foreach (var other in new[] { "secret-cafe\u0301.txt", "\u2126-notes.txt", "\u1112\u1161\u11AB.md" })
        {
            var ex = Assert.Throws<WorkspaceAccessException>(() => WorkspacePath.ToNfc(other, canNormalize: false));
            Assert.Equal(WorkspaceAccessReason.InvalidPath, ex.Reason);
            Assert.Contains("globalization-invariant mode", ex.Message, StringComparison.Ordinal);
        }
    }

    // The fallback's table checked against the real normaliser (ICU) over every code point: a character it
    // lets through is unchanged by NFC alone and never the second half of a composition.
    [Fact]
    public void The_fallback_lets_through_only_characters_that_NFC_leaves_alone()
    {
        Assert.SkipWhen("e\u0301".Normalize() != "\u00E9", "This process runs without a normaliser (invariant mode); there is nothing to check the table against.");
        var combining = new HashSet<int>();
        var passed = 0;
        for (var cp = 0; cp <= 0x10FFFF; cp++)
        {
            if (!Rune.IsValid(cp) || CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.OtherNotAssigned)
            {
                continue; // refused by the fallback (an unassigned character might become anything), and by ICU's Normalize too
            }

            var rune = new Rune(cp);
            var alone = rune.ToString();
            var decomposed = alone.Normalize(NormalizationForm.FormD);
            if (decomposed != alone && decomposed.Normalize(NormalizationForm.FormC) == alone)
            {
                foreach (var part in decomposed.EnumerateRunes().Skip(1))
                {
                    combining.Add(part.Value);
                }
            }

            if (WorkspacePath.IsStableUnderNfc(rune))
            {
                Assert.True(alone.Normalize(NormalizationForm.FormC) == alone, $"U+{cp:X4} is let through, but NFC changes it.");
                passed++;
            }
        }

        Assert.All(combining, cp => Assert.False(WorkspacePath.IsStableUnderNfc(new Rune(cp)), $"U+{cp:X4} composes with the character before it."));
        Assert.True(passed > 200_000, $"Only {passed:N0} code points pass; the fallback refuses far too much.");
        Assert.True(WorkspacePath.IsStableUnderNfc(new Rune('\u4E2D')) && CharUnicodeInfo.GetUnicodeCategory('\u4E2D') == UnicodeCategory.OtherLetter);
    }

    private static WorkspaceHost NewHost(Action<IServiceCollection>? more = null)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "These tests pin the Linux behaviour.");
        return new WorkspaceHost(more: more);
    }

    // A second backend, as a host would add: denies one file name, allows the rest, and records every name asked about.
    private sealed class NameGuard(string guarded) : IPolicyBackend
    {
        public List<string> Seen { get; } = [];

        public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
        {
            lock (Seen)
            {
                Seen.Add(request.Resource ?? "");
            }

            return ValueTask.FromResult(string.Equals(request.Resource, guarded, StringComparison.Ordinal)
                ? PolicyDecision.Deny($"{guarded} is guarded.")
                : PolicyDecision.Allow("Not guarded."));
        }
    }
}
