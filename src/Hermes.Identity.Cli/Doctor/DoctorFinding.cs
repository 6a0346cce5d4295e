namespace Hermes.Identity.Cli.Doctor;

/// <summary>One finding of <c>doctor</c>: which check, how it came out, and what to do.</summary>
internal sealed record DoctorFinding(string Check, DoctorStatus Status, string Detail);
