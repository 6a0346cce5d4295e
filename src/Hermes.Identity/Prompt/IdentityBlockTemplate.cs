using Hermes.Identity.Memory;

namespace Hermes.Identity.Prompt;

// A block already written, kept with everything it was written from and where its nonce stands. A block's text is a
// function of the profile (compared by reference: profiles are immutable and a reload makes new ones), the sender's
// envelope fields the block shows, the delegation (by reference) and the memory (each file's entries by reference: the
// read cache hands out the same list while a file is unchanged); everything else in it is constant. So the next turn
// of the same person with the same memory copies the text and writes only its own nonce, instead of writing the block.
internal sealed class IdentityBlockTemplate
{
    private readonly AgentProfile _profile;
    private readonly string _platform;
    private readonly string _userId;
    private readonly string? _displayName;
    private readonly ChatKind _chatKind;
    private readonly SenderKind _senderKind;
    private readonly Delegation? _delegation;
    private readonly MemorySnapshot? _memory;
    private readonly string _text;
    private readonly int[] _noncePositions;
    private readonly int _nonceLength;

    public IdentityBlockTemplate(TurnContext turn, MemorySnapshot? memory, string text, int[] noncePositions, int nonceLength)
    {
        _profile = turn.Profile;
        _platform = turn.Sender.Platform;
        _userId = turn.Sender.UserId;
        _displayName = turn.Sender.DisplayName;
        _chatKind = turn.Sender.ChatKind;
        _senderKind = turn.Sender.SenderKind;
        _delegation = turn.Delegation;
        _memory = memory;
        _text = text;
        _noncePositions = noncePositions;
        _nonceLength = nonceLength;
    }

    /// <summary>Whether this block, with <paramref name="nonce"/> in place of its own, is exactly what <paramref name="turn"/> would write.</summary>
    public bool Matches(TurnContext turn, MemorySnapshot? memory, string nonce)
    {
        var sender = turn.Sender;
        return nonce.Length == _nonceLength
            && ReferenceEquals(turn.Profile, _profile)
            && ReferenceEquals(turn.Delegation, _delegation)
            && sender.ChatKind == _chatKind
            && sender.SenderKind == _senderKind
            && string.Equals(sender.Platform, _platform, StringComparison.Ordinal)
            && string.Equals(sender.UserId, _userId, StringComparison.Ordinal)
            && string.Equals(sender.DisplayName, _displayName, StringComparison.Ordinal)
            && SameMemory(memory);
    }

    public string With(string nonce) => string.Create(_text.Length, (Template: this, Nonce: nonce), static (span, state) =>
    {
        state.Template._text.CopyTo(span);
        foreach (var position in state.Template._noncePositions)
        {
            state.Nonce.CopyTo(span[position..]);
        }
    });

    private bool SameMemory(MemorySnapshot? memory)
    {
        if (memory is null || _memory is null)
        {
            return memory is null && _memory is null;
        }

        return memory.IsOwnMemoryReadable == _memory.IsOwnMemoryReadable
            && Same(memory.Notes, _memory.Notes)
            && Same(memory.User, _memory.User)
            && (memory.Shared is null ? _memory.Shared is null : Same(memory.Shared, _memory.Shared))
            && memory.NotesLimit == _memory.NotesLimit
            && memory.UserLimit == _memory.UserLimit
            && memory.SharedLimit == _memory.SharedLimit;
    }

    // The same list, and one that cannot change: the read cache's lists are read-only, an empty array stays empty. A
    // custom IMemoryDocumentStore may hand out a list it later changes, so any other list is never taken as the same.
    private static bool Same(IReadOnlyList<string> list, IReadOnlyList<string>? kept) =>
        ReferenceEquals(list, kept) && list is CachedMemoryEntries or string[] { Length: 0 };
}
