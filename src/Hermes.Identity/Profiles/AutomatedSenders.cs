namespace Hermes.Identity;

// Which automated sender kinds an identity accepts with its full role ('automated:' in identities.yaml); the others get
// at most the guest role's rights. One bit per SenderKind other than Person.
[Flags]
internal enum AutomatedSenders : byte
{
    None = 0,
    Bot = 1,
    Webhook = 2,
    Relay = 4,
    All = Bot | Webhook | Relay,
}
