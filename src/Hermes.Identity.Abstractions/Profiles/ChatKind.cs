namespace Hermes.Identity;

/// <summary>The kind of conversation a message arrived in.</summary>
public enum ChatKind
{
    /// <summary>A one-to-one conversation between the sender and the bot.</summary>
    Direct = 0,

    /// <summary>A group chat with several people and the bot.</summary>
    Group = 1,

    /// <summary>A broadcast channel.</summary>
    Channel = 2,

    /// <summary>A thread inside a group or channel.</summary>
    Thread = 3,
}
