namespace Hermes.Identity.Cli.Doctor;

/// <summary>How one check of <c>doctor</c> came out.</summary>
internal enum DoctorStatus
{
    Ok,
    Warning,
    Failure,
}
