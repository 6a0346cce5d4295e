using Hermes.Identity.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Testing;

namespace Hermes.Identity.Tests.Configuration;

// identities.yaml reached through a symbolic link reloads like a plain file: a watcher on the link's own folder
// sees nothing when the content behind the link changes, so these run on the real file system, laid out exactly
// as Kubernetes and hand-made links lay it out.
public class SymlinkReloadTests
{
    private static string MeAs(string role) => $"version: 1\nidentities:\n  mei: {{ role: {role}, accounts: {{ telegram: \"222\" }} }}\n";

    [Fact]
    public async Task A_ConfigMap_update_reloads_and_the_watchers_follow_the_new_folder()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // ConfigMap mounts are Linux; symbolic links on Windows need a privilege.
        }

        using var dir = new TempDirectory();
        var mount = new ConfigMapMount(dir.Combine("config"));
        mount.Update("..2026_11_29_10_00_00.123", MeAs("trusted"));
        using var provider = ReloadProbe.Provider(mount.File, dir.Path);
        Assert.Equal("trusted", provider.Current.Profiles["mei"].Role);

        mount.Update("..2026_11_29_10_05_00.456", MeAs("guest"));
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("guest"), dir.Path), "a ConfigMap update");
        Assert.Equal("guest", provider.Current.Profiles["mei"].Role);

        // A second update proves the links are resolved again after each change, not once at start-up.
        mount.Update("..2026_11_29_10_10_00.789", MeAs("owner"));
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("owner"), dir.Path), "a second ConfigMap update");
        Assert.Equal("owner", provider.Current.Profiles["mei"].Role);

        // Bounded: the mount folder and the folder in force now, not every folder there ever was.
        var watched = provider.WatchedFolders.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([mount.Folder, Path.Combine(mount.Folder, "..2026_11_29_10_10_00.789")], watched);
    }

    [Fact]
    public async Task A_ConfigMap_update_with_an_invalid_file_keeps_the_last_good_snapshot_and_the_next_good_one_reloads()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        var logs = new FakeLogCollector();
        var mount = new ConfigMapMount(dir.Combine("config"));
        mount.Update("..2026_11_29_10_00_00.123", MeAs("trusted"));
        using var provider = ReloadProbe.Provider(mount.File, dir.Path, logs);
        var good = provider.Current;

        mount.Update("..2026_11_29_10_05_00.456", MeAs("nobody"));
        var error = await ReloadProbe.WaitForLogAsync(logs, 101, "a ConfigMap update with an unknown role");
        Assert.Contains(":3:", error.Message, StringComparison.Ordinal);
        Assert.Same(good, provider.Current);

        mount.Update("..2026_11_29_10_10_00.789", MeAs("guest"));
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("guest"), dir.Path), "the fixed ConfigMap update");
    }

    [Fact]
    public async Task A_link_to_a_file_in_another_folder_reloads_when_that_file_is_edited_in_place()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        var target = dir.Write("etc/hermes/identities.yaml", MeAs("trusted"));
        Directory.CreateDirectory(dir.Combine("app"));
        File.CreateSymbolicLink(dir.Combine("app", "identities.yaml"), target);
        using var provider = ReloadProbe.Provider(dir.Combine("app", "identities.yaml"), dir.Path);

        File.WriteAllText(target, MeAs("guest"));
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("guest"), dir.Path), "editing the link's target in place");
        Assert.Equal("guest", provider.Current.Profiles["mei"].Role);
    }

    [Fact]
    public async Task A_link_to_a_file_in_another_folder_reloads_when_that_file_is_replaced_by_rename()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        var target = dir.Write("etc/hermes/identities.yaml", MeAs("trusted"));
        Directory.CreateDirectory(dir.Combine("app"));
        File.CreateSymbolicLink(dir.Combine("app", "identities.yaml"), "../etc/hermes/identities.yaml");
        using var provider = ReloadProbe.Provider(dir.Combine("app", "identities.yaml"), dir.Path);

        dir.Write("etc/hermes/identities.yaml.tmp", MeAs("guest"));
        File.Move(dir.Combine("etc/hermes/identities.yaml.tmp"), target, overwrite: true);
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("guest"), dir.Path), "renaming a new file over the link's target");

        // The folder is watched, not the replaced file: an edit after the rename is seen too.
        File.WriteAllText(target, MeAs("owner"));
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("owner"), dir.Path), "editing the renamed-in file");
    }

    [Fact]
    public async Task Pointing_the_link_elsewhere_reloads_and_the_new_target_is_watched()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        var first = dir.Write("blue/identities.yaml", MeAs("trusted"));
        var second = dir.Write("green/identities.yaml", MeAs("guest"));
        Directory.CreateDirectory(dir.Combine("app"));
        File.CreateSymbolicLink(dir.Combine("app", "identities.yaml"), first);
        using var provider = ReloadProbe.Provider(dir.Combine("app", "identities.yaml"), dir.Path);

        File.CreateSymbolicLink(dir.Combine("app", "identities.yaml.tmp"), second);
        File.Move(dir.Combine("app", "identities.yaml.tmp"), dir.Combine("app", "identities.yaml"), overwrite: true);
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("guest"), dir.Path), "pointing the link at another file");

        File.WriteAllText(second, MeAs("owner"));
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("owner"), dir.Path), "editing the new target in place");
        Assert.DoesNotContain(dir.Combine("blue"), provider.WatchedFolders);
    }

    [Fact]
    public async Task Deleting_a_links_target_warns_and_recreating_it_reloads()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        var logs = new FakeLogCollector();
        var target = dir.Write("etc/hermes/identities.yaml", MeAs("trusted"));
        Directory.CreateDirectory(dir.Combine("app"));
        File.CreateSymbolicLink(dir.Combine("app", "identities.yaml"), target);
        using var provider = ReloadProbe.Provider(dir.Combine("app", "identities.yaml"), dir.Path, logs);
        var good = provider.Current;

        File.Delete(target);
        await ReloadProbe.WaitForLogAsync(logs, 105, "deleting the link's target");
        Assert.Same(good, provider.Current);

        File.WriteAllText(target, MeAs("guest"));
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("guest"), dir.Path), "recreating the link's target");
    }

    [Fact]
    public void A_link_loop_is_followed_a_bounded_number_of_times()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.Combine("a"), "b");
        File.CreateSymbolicLink(dir.Combine("b"), "a");
        File.CreateSymbolicLink(dir.Combine("identities.yaml"), "a");
        var names = new Dictionary<string, HashSet<string>>();

        Hermes.Identity.Configuration.IdentitiesFileWatcher.Resolve(dir.Combine("identities.yaml"), names, out var folder);

        Assert.Equal(dir.Path, folder);
        Assert.Equal(["a", "b", "identities.yaml"], names[dir.Path].Order(StringComparer.Ordinal));
    }
}
