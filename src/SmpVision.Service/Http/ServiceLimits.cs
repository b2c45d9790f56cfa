using SmpVision.Service.Configuration;

namespace SmpVision.Service.Http;

/// <summary>
/// The message and body limits, derived in one place from <see cref="ServiceOptions"/> so the gRPC
/// server, the HTTP server and the JSON routes agree: a Compare with two images at the unary limit
/// fits every one of them.
/// </summary>
internal static class ServiceLimits
{
    /// <summary>Room for everything in a request besides its images (options, field names, framing).</summary>
    public const long OverheadBytes = 1024 * 1024;

    /// <summary>Largest gRPC message: an AnalyzeUpload chunk stream's total, or two unary images (Compare), plus overhead.</summary>
    public static long MaxGrpcMessageBytes(ServiceOptions o) =>
        Math.Min(int.MaxValue, Math.Max(o.MaxUploadBytes, 2L * o.MaxUnaryImageBytes) + OverheadBytes);

    /// <summary>
    /// Largest JSON body: the JSON routes carry unary calls only (AnalyzeUpload streams, which JSON
    /// transcoding cannot carry), so two unary images in base64 (4 characters per 3 bytes) plus overhead.
    /// </summary>
    public static long MaxJsonBodyBytes(ServiceOptions o) => (((2L * o.MaxUnaryImageBytes) + 2) / 3 * 4) + OverheadBytes;
}
