using Microsoft.Extensions.Options;
using SmpVision.Pipeline.Calibration;

namespace SmpVision.Service.Configuration;

/// <summary>Service-level limits, bound from configuration section <c>SmpVision:Service</c>.</summary>
public sealed class ServiceOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "SmpVision:Service";

    /// <summary>
    /// Analyses run at once; 0 = the core count. Each analysis is CPU-bound and OpenCV runs
    /// single-threaded per request (<see cref="OpenCvThreads"/>), so cores x 1 thread saturates
    /// the machine without oversubscription.
    /// </summary>
    public int MaxConcurrentAnalyses { get; set; }

    /// <summary>How long a request may wait for a free analysis slot before RESOURCE_EXHAUSTED. Default 30 s.</summary>
    public double QueueTimeoutSeconds { get; set; } = 30;

    /// <summary>Largest image accepted by unary Analyze/Compare (per image). Default 16 MiB; larger photos use AnalyzeUpload.</summary>
    public int MaxUnaryImageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest image accepted by AnalyzeUpload. Default 64 MiB.</summary>
    public long MaxUploadBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Longest string accepted in any field of any request message, in characters. Default 4096:
    /// request strings are ids and codes; the bound keeps parsed requests small and error
    /// trailers (which name fields, never echo values) far below HTTP/2 header limits.
    /// </summary>
    public int MaxRequestStringChars { get; set; } = 4096;

    /// <summary>Longest wait for the next upload message, in seconds, before the upload is ended with DEADLINE_EXCEEDED. Default 30.</summary>
    public double UploadIdleTimeoutSeconds { get; set; } = 30;

    /// <summary>Longest time one upload may take to arrive, in seconds. Default 300 (64 MiB at ~1.7 Mbit/s).</summary>
    public double UploadTotalTimeoutSeconds { get; set; } = 300;

    /// <summary>Uploads open at once; further ones get RESOURCE_EXHAUSTED at once. Default 8.</summary>
    public int MaxConcurrentUploads { get; set; } = 8;

    /// <summary>
    /// Bytes all open uploads may hold together (an image stays counted until its analysis ends).
    /// Default 256 MiB: four full-size uploads.
    /// </summary>
    public long MaxBufferedUploadBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>OpenCV worker threads per process. Default 1: parallelism comes from concurrent requests.</summary>
    public int OpenCvThreads { get; set; } = 1;

    /// <summary>Device profiles added to (or overriding) the built-in ones, by id.</summary>
    public Dictionary<string, DeviceProfile> DeviceProfiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Concurrency actually used.</summary>
    public int EffectiveConcurrency => MaxConcurrentAnalyses > 0 ? MaxConcurrentAnalyses : Environment.ProcessorCount;
}

/// <summary>Validates <see cref="ServiceOptions"/> at start, so a bad configuration fails fast with a reason.</summary>
internal sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        var errors = new List<string>();
        if (options.MaxConcurrentAnalyses < 0)
        {
            errors.Add("SmpVision:Service:MaxConcurrentAnalyses must be >= 0 (0 = core count).");
        }

        if (options.QueueTimeoutSeconds is < 0 or > 3600)
        {
            errors.Add("SmpVision:Service:QueueTimeoutSeconds must be between 0 and 3600.");
        }

        if (options.MaxUnaryImageBytes < 1024)
        {
            errors.Add("SmpVision:Service:MaxUnaryImageBytes must be at least 1024.");
        }

        if (options.MaxUploadBytes < options.MaxUnaryImageBytes || options.MaxUploadBytes > int.MaxValue - (1024 * 1024))
        {
            errors.Add("SmpVision:Service:MaxUploadBytes must be at least MaxUnaryImageBytes and below 2 GiB.");
        }

        if (options.UploadIdleTimeoutSeconds is <= 0 or > 3600 || options.UploadTotalTimeoutSeconds < options.UploadIdleTimeoutSeconds || options.UploadTotalTimeoutSeconds > 86400)
        {
            errors.Add("SmpVision:Service:UploadIdleTimeoutSeconds must be in (0, 3600] and UploadTotalTimeoutSeconds between it and 86400.");
        }

        if (options.MaxConcurrentUploads < 1 || options.MaxBufferedUploadBytes < options.MaxUploadBytes)
        {
            errors.Add("SmpVision:Service:MaxConcurrentUploads must be >= 1 and MaxBufferedUploadBytes at least MaxUploadBytes.");
        }

        if (options.MaxRequestStringChars is < 64 or > 1_048_576)
        {
            errors.Add("SmpVision:Service:MaxRequestStringChars must be between 64 and 1048576.");
        }

        if (options.OpenCvThreads < 0)
        {
            errors.Add("SmpVision:Service:OpenCvThreads must be >= 0.");
        }

        foreach (var (id, profile) in options.DeviceProfiles)
        {
            errors.AddRange(profile.Validate(id));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
