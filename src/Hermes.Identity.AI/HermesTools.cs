using Hermes.Identity.AI.ReadyTools;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI;

/// <summary>
/// Ready-made tools with Hermes Agent's names and arguments, bound to the turn: each runs on the sender's own memory,
/// workspace or sessions, resolved from the turn's services (which the tool gate of <c>UseHermesIsolation()</c> passes as
/// <see cref="AIFunctionArguments.Services"/>). Every refusal and error is returned to the model as the result, a JSON
/// object whose <c>error</c> says why; outside a turn they do nothing. Whether a tool may be called at all is decided by
/// the policy (the <c>tools:</c> section of identities.yaml); the stores enforce <c>memory.write</c>,
/// <c>workspace.write</c> and the rest themselves.
/// </summary>
/// <example>
/// <code>
/// var options = new ChatOptions { Tools = [.. HermesTools.All()] };
/// </code>
/// </example>
public static class HermesTools
{
    private static readonly AITool[] s_memory = [new MemoryTool()];

    private static readonly AITool[] s_files =
    [
        new ReadFileTool(), new WriteFileTool(), new PatchTool(), new SearchFilesTool(), new AppendFileTool(),
        new ListFilesTool(), new MoveFileTool(), new DeleteFileTool(), new FileInfoTool(),
    ];

    private static readonly AITool[] s_sessionSearch = [new SessionSearchTool()];

    /// <summary>Every ready-made tool: <see cref="Memory"/>, <see cref="Files"/> and <see cref="SessionSearch"/>.</summary>
    /// <returns>A new list the caller may change.</returns>
    public static IList<AITool> All() => [.. s_memory, .. s_files, .. s_sessionSearch];

    /// <summary>The <c>memory</c> tool: <c>action</c> add, replace, remove or read; <c>target</c> memory (MEMORY.md), user (USER.md) or shared; <c>content</c>, <c>old_text</c>.</summary>
    /// <returns>A new list the caller may change.</returns>
    public static IList<AITool> Memory() => [.. s_memory];

    /// <summary>
    /// The file tools on the sender's workspace (<c>.</c> is its root): <c>read_file</c>, <c>write_file</c>, <c>patch</c>,
    /// <c>search_files</c>, <c>append_file</c>, <c>list_files</c>, <c>move_file</c>, <c>delete_file</c> and <c>file_info</c>.
    /// </summary>
    /// <returns>A new list the caller may change.</returns>
    public static IList<AITool> Files() => [.. s_files];

    /// <summary>The <c>session_search</c> tool over the sender's own sessions (it needs an <c>ISessionStore</c>, such as <c>AddSqliteSessions()</c>).</summary>
    /// <returns>A new list the caller may change.</returns>
    public static IList<AITool> SessionSearch() => [.. s_sessionSearch];
}
