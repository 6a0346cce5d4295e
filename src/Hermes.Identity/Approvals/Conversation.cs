namespace Hermes.Identity.Approvals;

// What identifies the requester's conversation across turns: the platform and the chat the message came in
// (platform:chatId), or the sender's own account when the platform gives no chat id. Not the turn: an approval is
// answered in another message, so the call resumes in a later turn of the same conversation.
internal static class Conversation
{
    public static string Of(SenderEnvelope sender) =>
        sender.ChatId is { } chat ? sender.Platform + ":" + chat : sender.Platform + ":user:" + sender.UserId;
}
