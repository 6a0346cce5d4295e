using System.Collections.Frozen;

namespace Hermes.Identity.Configuration;

// Ready-made 'tools:' maps, named in identities.yaml by 'tool_presets: [hermes]'. The file's own 'tools:' entries
// win over a preset's. A preset only names categories; the roles decide who may use them.
internal static class ToolPresets
{
    public const string Hermes = "hermes";

    // Hermes Agent's tool names (toolsets.py, _HERMES_CORE_TOOLS and the toolsets), current and earlier ones.
    // Categories the built-in roles already know keep their meaning: trusted reaches tool.files.* and tool.web.*
    // (so web.extract and web.browse too), guest tool.files.read and tool.web.search. Every other category here is
    // the owner's until a role allows it.
    private static readonly FrozenDictionary<string, string> HermesTools = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Shell, processes, code, the whole desktop: exec.
        ["terminal"] = "exec",
        ["process"] = "exec",                 // before process_manage
        ["process_manage"] = "exec",
        ["execute_code"] = "exec",
        ["computer_use"] = "exec",

        ["read_file"] = "files.read",
        ["search_files"] = "files.read",
        ["write_file"] = "files.write",
        ["patch"] = "files.write",

        ["web_search"] = "web.search",
        ["x_search"] = "web.search",
        ["web_extract"] = "web.extract",      // fetches any URL: not a guest's by default

        // A real browser driven by the model.
        ["browser_navigate"] = "web.browse",
        ["browser_snapshot"] = "web.browse",
        ["browser_click"] = "web.browse",
        ["browser_type"] = "web.browse",
        ["browser_scroll"] = "web.browse",
        ["browser_back"] = "web.browse",
        ["browser_press"] = "web.browse",
        ["browser_close"] = "web.browse",     // earlier versions
        ["browser_get_images"] = "web.browse",
        ["browser_vision"] = "web.browse",
        ["browser_console"] = "web.browse",
        ["browser_cdp"] = "web.browse",
        ["browser_dialog"] = "web.browse",
        ["browser_exec"] = "web.browse",

        ["memory"] = "memory",
        ["honcho_context"] = "memory",        // Honcho memory, earlier versions
        ["honcho_profile"] = "memory",
        ["honcho_search"] = "memory",
        ["honcho_conclude"] = "memory",
        ["session_search"] = "sessions",

        // Skills are the Hermes home's, shared by everyone: writing one changes every later prompt.
        ["skills_list"] = "skills.read",
        ["skill_view"] = "skills.read",
        ["skill_manage"] = "skills.write",

        ["vision_analyze"] = "media.vision",
        ["video_analyze"] = "media.vision",
        ["image_generate"] = "media.generate",
        ["video_generate"] = "media.generate",
        ["text_to_speech"] = "media.generate",

        ["todo"] = "planning",                // before todo_list
        ["todo_list"] = "planning",
        ["clarify"] = "clarify",

        // Acting later or through others.
        ["delegate_task"] = "delegate",
        ["mixture_of_agents"] = "delegate",   // earlier versions
        ["cronjob"] = "schedule",             // before cronjob_manage
        ["cronjob_manage"] = "schedule",
        ["send_message"] = "messaging",       // earlier versions

        ["ha_list_entities"] = "home.read",
        ["ha_get_state"] = "home.read",
        ["ha_list_services"] = "home.read",
        ["ha_call_service"] = "home.control",

        ["kanban_show"] = "kanban",
        ["kanban_list"] = "kanban",
        ["kanban_complete"] = "kanban",
        ["kanban_block"] = "kanban",
        ["kanban_request_review"] = "kanban",
        ["kanban_request_changes"] = "kanban",
        ["kanban_heartbeat"] = "kanban",
        ["kanban_comment"] = "kanban",
        ["kanban_create"] = "kanban",
        ["kanban_link"] = "kanban",
        ["kanban_unblock"] = "kanban",
        ["kanban_attach"] = "kanban",
        ["kanban_attach_url"] = "kanban",
        ["kanban_attachments"] = "kanban",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = [Hermes];

    /// <summary>The tool → category map of the preset <paramref name="name"/>, or null when there is no such preset.</summary>
    public static IReadOnlyDictionary<string, string>? Find(string name) => name switch
    {
        Hermes => HermesTools,
        _ => null,
    };
}
