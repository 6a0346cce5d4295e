namespace Hermes.Identity.Pairing;

// A person paired with a role of their own (Role set), or the accounts linked to a person configured in identities.yaml
// (Role null: the role comes from there).
internal sealed class PairedPerson
{
    public string Key { get; set; } = "";

    public string? Role { get; set; }

    public string? DisplayName { get; set; }

    public List<PairedAccountEntry> Accounts { get; set; } = [];
}
