namespace CustomPolicyBackend;

/// <summary>Settings of <see cref="GuestWebSearchPolicy"/>.</summary>
public sealed class GuestWebSearchOptions
{
    /// <summary>How many web searches one guest may make in any hour. Default: 10.</summary>
    public int SearchesPerHour { get; set; } = 10;
}
