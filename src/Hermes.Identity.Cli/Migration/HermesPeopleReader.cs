using System.Text.Json;

namespace Hermes.Identity.Cli.Migration;

/// <summary>
/// The accounts a Hermes home lets in: each platform's <c>*_ALLOWED_USERS</c> list (comma-separated, in the home's
/// <c>.env</c>; <c>*</c> means everyone and is reported, not imported) and the pairing files
/// <c>platforms/pairing/PLATFORM-approved.json</c> (or the older <c>pairing/</c>), whose keys are user ids and values
/// <c>{ "user_name": ..., "approved_at": ... }</c>.
/// </summary>
internal static class HermesPeopleReader
{
    // The platform of each allow-list variable, as hermes-agent's gateway/pairing.py maps them.
    private static readonly Dictionary<string, string> AllowListPlatforms = new(StringComparer.Ordinal)
    {
        ["TELEGRAM_ALLOWED_USERS"] = "telegram", ["DISCORD_ALLOWED_USERS"] = "discord", ["WHATSAPP_ALLOWED_USERS"] = "whatsapp",
        ["WHATSAPP_CLOUD_ALLOWED_USERS"] = "whatsapp_cloud", ["SLACK_ALLOWED_USERS"] = "slack", ["SIGNAL_ALLOWED_USERS"] = "signal",
        ["EMAIL_ALLOWED_USERS"] = "email", ["SMS_ALLOWED_USERS"] = "sms", ["MATTERMOST_ALLOWED_USERS"] = "mattermost",
        ["MATRIX_ALLOWED_USERS"] = "matrix", ["DINGTALK_ALLOWED_USERS"] = "dingtalk", ["FEISHU_ALLOWED_USERS"] = "feishu",
        ["WECOM_ALLOWED_USERS"] = "wecom", ["WECOM_CALLBACK_ALLOWED_USERS"] = "wecom_callback", ["WEIXIN_ALLOWED_USERS"] = "weixin",
        ["BLUEBUBBLES_ALLOWED_USERS"] = "bluebubbles", ["QQ_ALLOWED_USERS"] = "qqbot", ["YUANBAO_ALLOWED_USERS"] = "yuanbao",
    };

    public static IReadOnlyList<HermesAccount> Read(string home, List<string> warnings)
    {
        var accounts = new List<HermesAccount>();
        ReadAllowLists(Path.Combine(home, ".env"), accounts, warnings);
        foreach (var folder in new[] { Path.Combine(home, "platforms", "pairing"), Path.Combine(home, "pairing") })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder, "*-approved.json").Order(StringComparer.Ordinal))
            {
                var platform = Path.GetFileName(file)[..^"-approved.json".Length];
                if (platform.StartsWith('_'))
                {
                    continue;
                }

                ReadApproved(file, platform, accounts, warnings);
            }
        }

        // One account once: the first place it was found wins (an allow-list before a pairing file).
        return [.. accounts.DistinctBy(a => (a.Platform, a.UserId))];
    }

    private static void ReadAllowLists(string envFile, List<HermesAccount> accounts, List<string> warnings)
    {
        if (!File.Exists(envFile))
        {
            return;
        }

        foreach (var raw in File.ReadLines(envFile))
        {
            var line = raw.Trim();
            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('#') || eq <= 0)
            {
                continue;
            }

            var name = line[..eq].Trim();
            if (!name.EndsWith("_ALLOWED_USERS", StringComparison.Ordinal))
            {
                continue;
            }

            var platform = AllowListPlatforms.TryGetValue(name, out var known) ? known : name[..^"_ALLOWED_USERS".Length].ToLowerInvariant();
            var value = line[(eq + 1)..].Trim().Trim('"', '\'');
            foreach (var id in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (id == "*")
                {
                    warnings.Add($"{name}=* let everyone in on {platform}: not carried over. Choose unknown_senders: guest or pair in identities.yaml if you want that.");
                    continue;
                }

                accounts.Add(new HermesAccount(platform, id, null, "allow-list"));
            }
        }
    }

    private static void ReadApproved(string file, string platform, List<HermesAccount> accounts, List<string> warnings)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                warnings.Add($"{file} is not a JSON object of user ids: skipped.");
                return;
            }

            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                var name = entry.Value.ValueKind == JsonValueKind.Object && entry.Value.TryGetProperty("user_name", out var n) && n.ValueKind == JsonValueKind.String
                    ? n.GetString()
                    : null;
                accounts.Add(new HermesAccount(platform, entry.Name, string.IsNullOrWhiteSpace(name) ? null : name, "paired"));
            }
        }
        catch (JsonException ex)
        {
            warnings.Add($"{file} cannot be read as JSON ({ex.Message}): its paired users are not carried over.");
        }
    }
}
