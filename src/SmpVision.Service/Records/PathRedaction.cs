using System.Text.RegularExpressions;

namespace SmpVision.Service.Records;

/// <summary>Removes the clinic's patient id from request paths before they reach traces.</summary>
internal static partial class PathRedaction
{
    public static string Redact(string? path) =>
        path is null ? "" : PatientSegment().Replace(path, "/v1/patients/{patient_id}");

    [GeneratedRegex("^/v1/patients/[^/]+", RegexOptions.CultureInvariant)]
    private static partial Regex PatientSegment();
}
