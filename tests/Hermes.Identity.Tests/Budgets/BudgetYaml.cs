namespace Hermes.Identity.Tests.Budgets;

// identities.yaml texts with budgets: louis (owner, 111), mei (trusted, 222, budgets of her own), kai (trusted, 333),
// ah-ma (family: inherits trusted, 444), unknown senders admitted as guests.
internal static class BudgetYaml
{
    public static string With(string trustedBudgets = "", string meiBudgets = "", string guestBudgets = "", string familyBudgets = "") => $$"""
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: trusted
            accounts: { telegram: "222" }
        {{(meiBudgets.Length > 0 ? "    budgets: " + meiBudgets : string.Empty)}}
          kai:
            role: trusted
            accounts: { telegram: "333" }
          ah-ma:
            role: family
            accounts: { telegram: "444" }
        roles:
          family:
            inherits: trusted
        {{(familyBudgets.Length > 0 ? "    budgets: " + familyBudgets : string.Empty)}}
        {{(trustedBudgets.Length > 0 ? "  trusted:\n    budgets: " + trustedBudgets : string.Empty)}}
        {{(guestBudgets.Length > 0 ? "  guest:\n    budgets: " + guestBudgets : string.Empty)}}
        tools:
          terminal: exec
          read_file: files.read
          write_file: files.write
          web_search: web.search
          web_fetch: web.fetch
        """;
}
