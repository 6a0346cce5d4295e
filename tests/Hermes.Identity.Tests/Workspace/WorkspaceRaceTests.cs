using Hermes.Identity.Workspace;

namespace Hermes.Identity.Tests.Workspace;

// SECURITY.md §2, the race: while one thread keeps swapping workspace folder "d" for a symbolic link to a
// folder outside, another opens "d/secret.txt" through the workspace. A check-then-open guard leaks here;
// resolving from the root's handle in the kernel, then reading that handle, must leak 0 bytes.
public sealed class WorkspaceRaceTests : IDisposable
{
    private const int Tries = 100_000;
    private const string InsideText = "inside-d";

    private readonly WorkspaceTree _tree = new();
    private readonly ITestOutputHelper _output;

    public WorkspaceRaceTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData("openat2")]
    [InlineData("walk")]
    public void Swapping_a_directory_for_a_symlink_never_leaks_the_outside_file(string mechanism)
    {
        using var fs = OpenConfined(mechanism);
        var outcome = Race(fs, Tries, stopAtFirstLeak: false, ReadLeaks);

        Assert.Equal(0, outcome.Leaks);
        // The race was really run: some opens went through the real folder and some met the link.
        Assert.True(outcome.Inside > 0, $"no open succeeded: {outcome}");
        Assert.True(outcome.Refused > 0, $"no open met the link: {outcome}");
    }

    [Fact]
    public void The_race_does_leak_without_confinement()
    {
        // Proves the race test can fail: with plain openat (the unrestricted owner's mode) it reads the outside file.
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("Needs Linux.");
        }

        using var fs = LinuxWorkspaceFileSystem.Open(_tree.Mei, LinuxResolveMode.Unconfined);
        var outcome = Race(fs, Tries, stopAtFirstLeak: true, ReadLeaks);
        Assert.True(outcome.Leaks > 0, $"unconfined opens never leaked: {outcome}");
    }

    [Theory]
    [InlineData("openat2")]
    [InlineData("walk")]
    public void Swapping_a_directory_for_a_symlink_never_lets_a_write_land_outside(string mechanism)
    {
        using var fs = OpenConfined(mechanism);
        // Alternately replaces an existing file and creates a new one (O_CREAT through the swapped folder).
        var n = 0;
        var outcome = Race(fs, Tries / 2, stopAtFirstLeak: false, f =>
        {
            WorkspaceTree.Write(f, n++ % 2 == 0 ? "d/secret.txt" : "d/created.txt", InsideText);
            return !OutsideUnchanged();
        });

        Assert.Equal(0, outcome.Leaks);
        Assert.True(OutsideUnchanged());
        Assert.True(outcome.Inside > 0 && outcome.Refused > 0, $"the race was not run: {outcome}");
    }

    [Theory]
    [InlineData("openat2")]
    [InlineData("walk")]
    public void Swapping_a_directory_for_a_symlink_never_lets_emptying_it_delete_or_move_anything_outside(string mechanism)
    {
        using var fs = OpenConfined(mechanism);
        // Each try puts a file back into "d" through the workspace, then empties "d" or moves the file out of it and
        // back, while "d" keeps turning into a link to the outside folder.
        var n = 0;
        var deleted = 0;
        var leaks = 0;
        var rounds = new List<string>();
        // On a busy machine the swapping thread can win nearly every try of a round (a handful land inside, none of them
        // a deletion): up to five rounds, until the race has been run both ways. Any leak in any round fails.
        for (var round = 0; round < 5 && (rounds.Count == 0 || deleted == 0); round++)
        {
            var outcome = Race(fs, Tries / 10, stopAtFirstLeak: false, f =>
            {
                if (n++ % 2 == 0)
                {
                    WorkspaceTree.Write(f, "d/secret.txt", InsideText);
                    deleted += f.DeleteContents("d", CancellationToken.None);
                }
                else
                {
                    f.Move("d/secret.txt", "moved.txt", overwrite: true);
                    f.Move("moved.txt", "d/secret.txt", overwrite: true);
                }

                return !OutsideUnchanged() || File.Exists(_tree.InMei("moved.txt")) && File.ReadAllText(_tree.InMei("moved.txt")) != InsideText;
            });
            leaks += outcome.Leaks;
            rounds.Add(outcome.Inside > 0 && outcome.Refused > 0 ? outcome.ToString() : $"(one-sided) {outcome}");
        }

        Assert.Equal(0, leaks);
        Assert.True(OutsideUnchanged());
        Assert.True(deleted > 0 && rounds.Any(r => !r.StartsWith("(one-sided)", StringComparison.Ordinal)), $"the race was not run: {string.Join("; ", rounds)}, {deleted} deleted");
    }

    private LinuxWorkspaceFileSystem OpenConfined(string mechanism)
    {
        if (!OperatingSystem.IsLinux() || (mechanism == "openat2" && !LinuxWorkspaceFileSystem.Openat2Works))
        {
            Assert.Skip("Needs Linux" + (mechanism == "openat2" ? " with openat2." : "."));
        }

        return LinuxWorkspaceFileSystem.Open(_tree.Mei, mechanism == "openat2" ? LinuxResolveMode.Openat2Beneath : LinuxResolveMode.OpenatWalk);
    }

    private string Outside => Path.Combine(_tree.Root, "outside");

    private bool OutsideUnchanged() =>
        File.ReadAllText(Path.Combine(Outside, "secret.txt")) == WorkspaceTree.OutsideText && !File.Exists(Path.Combine(Outside, "created.txt"));

    private static bool ReadLeaks(WorkspaceFileSystem fs)
    {
        var text = WorkspaceTree.Read(fs, "d/secret.txt");
        if (text.Contains("OUTSIDE", StringComparison.Ordinal) || text.Length == 0)
        {
            return true;
        }

        Assert.Equal(InsideText, text);
        return false;
    }

    // Runs attempt (true: it reached outside) tries times while a thread swaps "d" for a link to "outside".
    private RaceOutcome Race(WorkspaceFileSystem fs, int tries, bool stopAtFirstLeak, Func<WorkspaceFileSystem, bool> attempt)
    {
        var outside = Outside;
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.txt"), WorkspaceTree.OutsideText);
        var d = _tree.InMei("d");
        var parked = _tree.InMei("d.parked");
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "secret.txt"), InsideText);

        using var stop = new CancellationTokenSource();
        var swaps = 0;
        var spin = 2_000;
        var swapper = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Directory.Move(d, parked);
                File.CreateSymbolicLink(d, outside);
                File.Delete(d);
                Directory.Move(parked, d);
                swaps++;
                // Leave the real folder in place a moment too, so opens both succeed and meet the link.
                Thread.SpinWait(spin);
            }
        }) { IsBackground = true };

        var outcome = new RaceOutcome();
        swapper.Start();
        try
        {
            // Bounded by the count alone: a slow machine takes longer, never fewer tries.
            for (var i = 0; i < tries; i++)
            {
                try
                {
                    if (attempt(fs))
                    {
                        outcome.Leaks++;
                        if (stopAtFirstLeak)
                        {
                            break;
                        }
                    }
                    else
                    {
                        outcome.Inside++;
                    }
                }
                catch (WorkspaceAccessException ex)
                {
                    outcome.Refused++;
                    outcome.Reasons[ex.Reason] = outcome.Reasons.GetValueOrDefault(ex.Reason) + 1;
                }

                outcome.Tries++;
            }
        }
        finally
        {
            stop.Cancel();
            swapper.Join();
        }

        outcome.Swaps = swaps;
        _output.WriteLine($"{fs.Mechanism}: {outcome}");
        if (!stopAtFirstLeak)
        {
            Assert.Equal(tries, outcome.Tries);
        }

        return outcome;
    }

    private sealed class RaceOutcome
    {
        public int Tries { get; set; }

        public int Inside { get; set; }

        public int Refused { get; set; }

        public int Leaks { get; set; }

        public int Swaps { get; set; }

        public Dictionary<WorkspaceAccessReason, int> Reasons { get; } = [];

        public override string ToString() =>
            $"{Tries} tries, {Inside} inside, {Refused} refused ({string.Join(", ", Reasons.Select(r => $"{r.Key} {r.Value}"))}), {Leaks} leaks, {Swaps} swaps";
    }
}
