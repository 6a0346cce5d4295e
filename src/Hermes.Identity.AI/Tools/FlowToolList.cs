using System.Collections;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.Tools;

// Installed as the loop's AdditionalTools: the host's own additional tools, plus, for the request running on this
// async flow, the tools that were withheld from the model, each gated. The model never hears of them, but when a
// gullible model calls one anyway the loop finds it and the policy refuses it with its reason, instead of
// "function not found". Writes go to the host's list.
internal sealed class FlowToolList(IList<AITool>? hostTools) : IList<AITool>
{
    private static readonly AsyncLocal<IReadOnlyList<AITool>?> Withheld = new();
    private IList<AITool>? _host = hostTools;

    public static IReadOnlyList<AITool>? Current
    {
        get => Withheld.Value;
        set => Withheld.Value = value;
    }

    public int Count => HostCount + (Withheld.Value?.Count ?? 0);

    public bool IsReadOnly => false;

    private int HostCount => _host?.Count ?? 0;

    public AITool this[int index]
    {
        get => index < HostCount ? _host![index] : (Withheld.Value ?? throw new ArgumentOutOfRangeException(nameof(index)))[index - HostCount];
        set => (_host ??= [])[index] = value;
    }

    public IEnumerator<AITool> GetEnumerator()
    {
        if (_host is not null)
        {
            foreach (var tool in _host)
            {
                yield return tool;
            }
        }

        if (Withheld.Value is { } withheld)
        {
            foreach (var tool in withheld)
            {
                yield return tool;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public int IndexOf(AITool item)
    {
        var i = 0;
        foreach (var tool in this)
        {
            if (ReferenceEquals(tool, item))
            {
                return i;
            }

            i++;
        }

        return -1;
    }

    public bool Contains(AITool item) => IndexOf(item) >= 0;

    public void CopyTo(AITool[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        foreach (var tool in this)
        {
            array[arrayIndex++] = tool;
        }
    }

    public void Add(AITool item) => (_host ??= []).Add(item);

    public void Insert(int index, AITool item) => (_host ??= []).Insert(index, item);

    public bool Remove(AITool item) => _host?.Remove(item) ?? false;

    public void RemoveAt(int index) => (_host ?? throw new ArgumentOutOfRangeException(nameof(index))).RemoveAt(index);

    public void Clear() => _host?.Clear();
}
