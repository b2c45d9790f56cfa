using System.Reflection;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.ModalityDetection;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Overhead;
using SmpVision.Pipeline.Planning;
using SmpVision.Pipeline.Regions;
using SmpVision.Pipeline.Synthetic;

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

    /// <summary>Identifier of the classical stages (overhead photos, and trichoscopy when the classical detector runs); a trichoscopy result names its detector instead.</summary>
    public static string ModelVersion => Detection.ClassicalHairDetector.Identifier;

    /// <summary>OpenCV native library version.</summary>
    public static string OpenCvVersion => Cv2.GetVersionString() ?? "unknown";

    /// <summary>
    /// Sets OpenCV's worker threads for the process. With N cores and N concurrent requests, one
    /// thread per request avoids oversubscription (OpenCV threads x requests &lt;= cores).
    /// </summary>
    public static void ConfigureNativeThreads(int openCvThreads) => Cv2.SetNumThreads(openCvThreads);

    /// <summary>
    /// Linux (glibc) only, process-wide, opt-in: keeps freed native buffers (OpenCV's image Mats,
    /// 1-5 MB each, dozens per analysis) in the process heap instead of mapping them fresh from
    /// and returning them to the OS on every allocation. Each fresh mapping is first touched page
    /// by page (page faults plus kernel zeroing); with the heap kept, the speed-probe's region
    /// stage took ~30 instead of ~38 ms CPU per real frame. Costs resident memory up to the
    /// peak of the analyses in flight (the heap is not trimmed below
    /// <paramref name="keepBytes"/>). Returns false where the allocator cannot be tuned.
    /// </summary>
    public static bool ConfigureNativeAllocator(int keepBytes = 256 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(keepBytes);
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // glibc caps the mmap threshold at 32 MB on 64-bit; larger values are refused.
            const int MaxMmapThreshold = 32 << 20;
            return NativeAllocator.MallOpt(NativeAllocator.TrimThreshold, keepBytes) == 1
                && NativeAllocator.MallOpt(NativeAllocator.MmapThreshold, Math.Min(keepBytes, MaxMmapThreshold)) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (e.g. musl)
        }
    }

    /// <summary>Analyses one encoded photo.</summary>
    /// <exception cref="InvalidImageException">The image cannot be analysed (reason in the message).</exception>
    /// <exception cref="InvalidRequestException">An option is invalid (field and reason).</exception>
    /// <exception cref="OperationCanceledException">The deadline passed or the caller cancelled.</exception>
    public ScalpAnalysisResult Analyze(byte[] encoded, AnalysisRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(request);
        var clock = new StageClock(cancellationToken);
        var requestScale = ScaleResolver.Resolve(request.Scale, _options.DeviceProfiles, _options.ScaleLimits);
        var image = Decode(encoded, "image", clock);
        using var analysed = AnalyzeDecoded(image, request, requestScale, clock, cancellationToken);
        return analysed.Result;
    }

    /// <summary>
    /// Compares a before and an after photo of the same patient and zone: analyses both,
    /// registers after onto before, and measures the change over their common area.
    /// </summary>
    /// <exception cref="ComparisonRefusedException">The photos cannot be aligned or differ in modality or scale.</exception>
    public ComparisonAnalysisResult Compare(byte[] beforeEncoded, byte[] afterEncoded, AnalysisRequest request, ScaleRequest? afterScale, bool changeMap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(beforeEncoded);
        ArgumentNullException.ThrowIfNull(afterEncoded);
        ArgumentNullException.ThrowIfNull(request);
        var beforeScale = ScaleResolver.Resolve(request.Scale, _options.DeviceProfiles, _options.ScaleLimits);
        var afterResolved = afterScale is null ? beforeScale : ScaleResolver.Resolve(afterScale, _options.DeviceProfiles, _options.ScaleLimits);

        var beforeClock = new StageClock(cancellationToken);
        var beforeImage = Decode(beforeEncoded, "before_image", beforeClock);
        using var before = AnalyzeDecoded(beforeImage, request, beforeScale, beforeClock, cancellationToken);

        // The after photo is analysed with the modality found for the before photo, so a
        // mismatch is refused by registration rather than hidden by two detections.
        var afterClock = new StageClock(cancellationToken);
        var afterImage = Decode(afterEncoded, "after_image", afterClock);
        using var after = AnalyzeDecoded(afterImage, request with { Modality = before.Result.Modality }, afterResolved, afterClock, cancellationToken);

        var clock = new StageClock(cancellationToken);
        var beforeSide = Side(before);
        var afterSide = Side(after);
        var registration = clock.Run("registration", () => ImageRegistration.Register(beforeSide.ForRegistration(), afterSide.ForRegistration(), _options.Registration, cancellationToken));
        if (!registration.Succeeded)
        {
            throw new ComparisonRefusedException(registration.Refusal, registration.Message);
        }

        var options = _options.Change with { RenderChangeMap = changeMap };
        // Trichoscopy: the change is measured with the after photo resampled into the before
        // photo's geometry and colour and detected again, so detector error cancels between visits;
        // the per-photo analyses above are still what the response reports for each photo.
        var change = before.Trichoscopy is { } beforeTrichoscopy && after.Trichoscopy is { } afterTrichoscopy
            ? clock.Run("change", () => CommonGeometryComparison.CompareTrichoscopy(before.Image, beforeTrichoscopy, before.Regions.Labels, after.Image, afterTrichoscopy.AnalysableMask, after.Regions.Labels, registration, TrichoscopyFor(request), options, cancellationToken))
            : clock.Run("change", () => ChangeAnalysis.Compare(beforeSide, afterSide, registration, options, cancellationToken));
        return new ComparisonAnalysisResult(before.Result, after.Result, change, Deduplicate([.. registration.Warnings, .. change.Warnings]), clock.Timings);
    }

    private ScalpImage Decode(byte[] encoded, string field, StageClock clock)
    {
        try
        {
            return clock.Run("decode", () => ImageDecoder.Decode(encoded, _options.Decoding));
        }
        catch (InvalidImageException ex)
        {
            throw ex.ForField(field);
        }
    }

    /// <summary>
    /// Trichoscopy sides count only hairs whose emergence was seen (the unbiased edge rule), so
    /// a hair cut by the frame is not counted at a false emergence point in one visit only.
    /// </summary>
    private static ComparisonSide Side(AnalysedImage a) => a.Trichoscopy is { } t
        ? ComparisonSide.FromTrichoscopy(a.Image, t, a.Regions.Labels)
        : new ComparisonSide(a.Image, a.AnalysableMask, a.HairMask, a.Result.Hairs, a.Result.FollicularUnits, a.Regions.Labels, a.Result.Scale, a.Result.Modality);

    /// <summary>
    /// Loads native code and runs every stage once on a generated frame, so the first real
    /// request does not pay for it. Throws when the pipeline cannot run on this machine.
    /// </summary>
    public void WarmUp(CancellationToken cancellationToken)
    {
        // 361 px/mm: the learned detector's training scale, so its model is loaded and run once
        // before health reports SERVING (the classical path is warmed by the second frame).
        foreach (double ppm in new[] { 361.0, 180.0 })
        {
            var frame = SyntheticTrichoscopyGenerator.Generate(new SyntheticTrichoscopySpec { WidthPixels = 640, HeightPixels = 512, PixelsPerMillimetre = ppm }, seed: 1, cancellationToken);
            Analyze(
                frame.EncodedImage,
                new AnalysisRequest { Modality = Modality.Unknown, Scale = new ScaleRequest(ppm, null, null, null), Output = new OutputRequest(true, true, true, true) },
                cancellationToken);
        }
    }

    /// <summary>Takes ownership of <paramref name="image"/>; the returned value owns it and every intermediate.</summary>
    private AnalysedImage AnalyzeDecoded(ScalpImage image, AnalysisRequest request, Scale? requestScale, StageClock clock, CancellationToken ct)
    {
        TrichoscopyResult? trichoscopy = null;
        OverheadResult? overhead = null;
        RegionMap? regions = null;
        try
        {
            var warnings = new List<PipelineWarning>();
            var regionOptions = RegionOptionsFor(request);
            var plausibility = clock.Run("plausibility", () => ScalpPlausibility.Check(image, _options.Plausibility));
            if (plausibility.Achromatic)
            {
                warnings.Add(new PipelineWarning("grey-image", "The photo has no colour: skin tone and hair/skin colour contrast are not meaningful. Send a colour photo for pigment planning."));
            }

            var modality = request.Modality;
            ModalityDecision? decision = null;
            if (modality == Modality.Unknown)
            {
                decision = clock.Run("modality", () => ModalityDetector.Detect(image, _options.Modality));
                modality = decision.Modality;
            }

            _options.ScaleLimits.CheckFor(requestScale, modality, decision is not null);
            if (image.Info.ReductionFactor > 1)
            {
                var f = image.Info.ReductionFactor;
                warnings.Add(new PipelineWarning("decoded-reduced", $"The photo has {image.Info.EncodedWidthPixels}x{image.Info.EncodedHeightPixels} pixels, more than are analysed at once ({_options.Decoding.MaxAnalysisPixels / 1e6:0.#} MP): it was decoded reduced by {f} per side, and every pixel coordinate refers to the reduced {image.WidthPixels}x{image.HeightPixels} image."));
                requestScale = requestScale is null ? null : requestScale with
                {
                    PixelsPerMillimetre = requestScale.PixelsPerMillimetre / f,
                    Description = $"{requestScale.Description}, divided by {f} for the reduced decoding",
                };
            }

            Scale? scale;
            IReadOnlyList<HairInstance> hairs = [];
            IReadOnlyList<FollicularUnit> units = [];
            QualitySummary quality;
            OverheadSummary? overheadSummary = null;
            if (modality == Modality.Overhead)
            {
                overhead = OverheadAnalysis.Run(image, _options.Overhead, OverheadRequestOf(request), ct);
                clock.AddRange(overhead.Timings);
                warnings.AddRange(overhead.Warnings.Where(w => !(requestScale is not null && w.Code == "no-scale")));
                // A marker measured in this photo beats a caller's global px/mm, which cannot hold
                // across a curved head seen in perspective.
                scale = overhead.Scale ?? requestScale;
                overheadSummary = new OverheadSummary(
                    overhead.BaldFractionOfScalp,
                    overhead.ThinningFraction,
                    overhead.HairBearingFraction,
                    overhead.HeadFractionOfFrame,
                    overhead.ScalpAreaSquareCentimetres,
                    overhead.BaldAreaSquareCentimetres,
                    overhead.HairlineContour,
                    overhead.Zones)
                {
                    View = overhead.View,
                    ViewDetected = overhead.ViewDetected,
                    Front = overhead.Front,
                    FrontDetected = overhead.FrontDetected,
                    OrientationConfidence = overhead.OrientationConfidence,
                    FaceFractionOfFrame = overhead.FaceFractionOfFrame,
                    BaldScalpSkinColour = overhead.BaldScalpSkinColour,
                    TreatmentBoundary = overhead.TreatmentBoundary,
                };
                quality = new QualitySummary(
                    Confidence: overhead.Warnings.Any(w => w.Code is "small-head" or "head-cut-by-frame") ? 0.6 : 0.9,
                    FocusScore: null,
                    ClippedFraction: null,
                    GlareFraction: null,
                    AnalysableFraction: overhead.HeadFractionOfFrame,
                    Flags: [.. overhead.Warnings.Select(w => w.Code).Where(c => c is "small-head" or "head-cut-by-frame")]);
                var overheadRegions = overhead;
                regions = clock.Run("regions", () => RegionExtraction.FromLabels(image, overheadRegions.Labels, [], [], null, scale, regionOptions, ct));
            }
            else
            {
                modality = Modality.Trichoscopy;
                trichoscopy = TrichoscopyAnalysis.Run(image, requestScale, TrichoscopyFor(request), ct);
                clock.AddRange(trichoscopy.Timings);
                warnings.AddRange(trichoscopy.Warnings);
                scale = trichoscopy.Scale;
                hairs = trichoscopy.Hairs;
                units = trichoscopy.FollicularUnits;
                var q = trichoscopy.Quality;
                quality = new QualitySummary(q.Confidence, q.FocusScore, q.ClippedHighFraction + q.ClippedLowFraction, q.GlareFraction, q.AnalysableAreaFraction, q.Flags);
                var t = trichoscopy;
                regions = clock.Run("regions", () => RegionSegmentation.Run(image, t.AnalysableMask, t.HairMask, t.Hairs, t.FollicularUnits, t.Scale, regionOptions, ct));
            }

            warnings.AddRange(regions.Warnings);
            // The frame's one skin and hair colour: measured by the trichoscopy colour stage, or the
            // overhead photo's bald-scalp skin (face and hair out) and hair; it is what the response reports and what the
            // pigment rule reads.
            var colour = trichoscopy?.Colour ?? (overhead is not null ? TrichoscopyColour.From(overhead.BaldScalpSkinColour ?? overhead.BareScalpColour, overhead.HairColour, 0, 0, calibrated: false) : null);
            warnings.AddRange(FrameColourWarnings(colour));
            var planning = PlanningFor(request, scale, colour, overhead);
            var planningErrors = planning.Validate();
            if (planningErrors.Count > 0)
            {
                // The request's planning choices combined with the configured defaults (e.g. a
                // session number beyond the configured build-up): the caller's to fix.
                var field = planningErrors.Any(e => e.Contains(nameof(PlanningOptions.SessionNumber), StringComparison.Ordinal)) ? "options.planning.session_number" : "options.planning";
                throw new InvalidRequestException(field, "Planning options are invalid: " + string.Join(" ", planningErrors));
            }

            var map = regions;
            var plan = clock.Run("planning", () => SmpPlanner.Plan(map, hairs, units, colour, planning, ct));
            warnings.AddRange(plan.Warnings);
            var labelMap = request.Output.LabelMap ? clock.Run("label-map", map.EncodeLabelMapPng) : null;
            var preview = request.Output.Preview ? clock.Run("preview", () => SmpPlanner.RenderPreviewPng(image, map, plan, planning.SessionNumber, overhead?.TreatmentBoundary ?? PolygonsOf(planning.TreatmentAreas), planning.HairlinePolyline)) : null;

            var result = new ScalpAnalysisResult
            {
                Image = image.Info,
                Modality = modality,
                ModalityDecision = decision,
                Scale = scale,
                Quality = quality,
                Density = trichoscopy?.Density,
                Colour = colour,
                HairPolarity = trichoscopy?.HairPolarity,
                ModelVersion = trichoscopy?.Detector ?? ModelVersion,
                Hairs = hairs,
                FollicularUnits = units,
                Overhead = overheadSummary,
                Regions = SmpPlanner.RelativeToReference(regions.Regions, plan.Reference, units.Count == 0 && hairs.Count > 0),
                LabelMapPng = labelMap,
                Plan = request.Output.DotLayout ? plan : plan with { Dots = [] },
                PreviewPng = preview,
                Warnings = Deduplicate(warnings),
                Timings = clock.Timings,
            };
            return new AnalysedImage(image, trichoscopy, overhead, regions, result);
        }
        catch
        {
            regions?.Dispose();
            trichoscopy?.Dispose();
            overhead?.Dispose();
            image.Dispose();
            throw;
        }
    }

    /// <summary>The configured trichoscopy options with this request's detector choice applied.</summary>
    private TrichoscopyOptions TrichoscopyFor(AnalysisRequest request) => request.Detector is { } kind
        ? _options.Trichoscopy with { Detector = _options.Trichoscopy.Detector with { Kind = kind } }
        : _options.Trichoscopy;

    /// <summary>
    /// The configured region options with the plan's reference rule: the thinning judgement falls
    /// back to the same reference as the plan (the clinic's value, else the zone default), and a
    /// forced clinic value is the regions' given reference too.
    /// </summary>
    private RegionOptions RegionOptionsFor(AnalysisRequest request)
    {
        var planning = PlanningFor(request, null, null, null);
        return _options.Regions with
        {
            FallbackReferenceFollicularUnitsPerSquareCentimetre = planning.FallbackReferenceFollicularUnitsPerSquareCentimetre,
            ReferenceFolliclesPerSquareCentimetre = request.ForceReferenceOverride && planning.ClinicReferenceFollicularUnitsPerSquareCentimetre is { } clinic && _options.Regions.DensityFromFollicularUnits
                ? clinic
                : _options.Regions.ReferenceFolliclesPerSquareCentimetre,
        };
    }

    private static IReadOnlyList<PolygonPixels>? PolygonsOf(IReadOnlyList<PolygonPixels> areas) => areas.Count > 0 ? areas : null;

    /// <summary>The request's overhead inputs: given view and face direction, clinician polygons.</summary>
    private static OverheadRequest OverheadRequestOf(AnalysisRequest request) => new(
        request.OverheadView,
        request.FaceDirection,
        [.. request.Clinician.TreatmentAreas.Select(p => p.Polygon)],
        [.. request.Clinician.Exclusions.Select(p => p.Polygon)]);

    /// <summary>The configured planning defaults with this request's choices applied (the clinician's drawing and overrides first).</summary>
    private PlanningOptions PlanningFor(AnalysisRequest request, Scale? scale, TrichoscopyColour? colour, OverheadResult? overhead)
    {
        var clinician = request.Clinician;
        var clinicReference = clinician.ReferenceFollicularUnitsPerSquareCentimetre ?? request.ReferenceFollicularUnitsPerSquareCentimetre ?? _options.Planning.ClinicReferenceFollicularUnitsPerSquareCentimetre;
        bool force = request.ForceReferenceOverride || clinician.ReferenceFollicularUnitsPerSquareCentimetre is not null;
        return _options.Planning with
        {
            Zone = request.Zone,
            ClinicReferenceFollicularUnitsPerSquareCentimetre = clinicReference,
            // Forcing the clinic's value: no measured density can qualify as the reference.
            MinReferenceFollicularUnits = force ? int.MaxValue : _options.Planning.MinReferenceFollicularUnits,
            SessionNumber = request.SessionNumber,
            CumulativeSessionFractions = request.SessionCumulativeFractions ?? _options.Planning.CumulativeSessionFractions,
            FeatherWidthMillimetres = request.HairlineFeatherWidthMillimetres ?? _options.Planning.FeatherWidthMillimetres,
            HairlineEdge = HairlineEdgeFor(request, overhead),
            // Feathering follows the drawn hairline, else the detected one of an overhead photo.
            HairlinePolyline = clinician.Hairline ?? overhead?.HairlineContour?.Vertices,
            TreatmentAreas = [.. clinician.TreatmentAreas.Select(p => p.Polygon)],
            Exclusions = [.. clinician.Exclusions.Select(p => p.Polygon)],
            MinDotSpacingMillimetres = clinician.MinDotSpacingMillimetres,
            IncludeDotLayout = request.Output.DotLayout || request.Output.Preview,
            PixelsPerMillimetreOverride = scale?.PixelsPerMillimetre,
            ColourCalibrated = colour?.Calibrated ?? false,
        };
    }

    /// <summary>The request's hairline edge; on overhead top views the face side when the request gave none.</summary>
    private HairlineEdge HairlineEdgeFor(AnalysisRequest request, OverheadResult? overhead)
    {
        if (request.HairlineEdge is { } edge)
        {
            return (HairlineEdge)(int)edge;
        }

        return overhead is { View: OverheadView.TopDown or OverheadView.Frontal, HairlineContour: not null } o ? o.Front switch
        {
            FrontDirection.Up => HairlineEdge.Top,
            FrontDirection.Left => HairlineEdge.Left,
            FrontDirection.Right => HairlineEdge.Right,
            _ => HairlineEdge.Bottom,
        } : _options.Planning.HairlineEdge;
    }

    /// <summary>The warnings about the frame's colour, raised once per frame (codes documented in common.proto, Warning).</summary>
    internal static IEnumerable<PipelineWarning> FrameColourWarnings(TrichoscopyColour? colour)
    {
        if (colour is null || colour.Calibrated)
        {
            yield break;
        }

        yield return new PipelineWarning("colour-uncalibrated", "No colour chart in the photo: CIELAB values carry the camera's colour error; check the pigment shade by eye.");
        if (colour.Skin is { } skin && !colour.SkinColourReliable)
        {
            yield return new PipelineWarning("skin-colour-unreliable", FormattableString.Invariant($"The skin reads b* {skin.B:F1}, i.e. not yellowish as skin is: a blue dye, a colour cast or the camera's white balance. The skin tone (ITA) is not reported and the pigment level is not read from it; white-balance the camera or use a colour chart."));
        }
    }

    private static List<PipelineWarning> Deduplicate(List<PipelineWarning> warnings) =>
        warnings.GroupBy(w => w.Code, StringComparer.Ordinal).Select(g => g.First()).ToList();
}

/// <summary>glibc mallopt (malloc.h): M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3.</summary>
internal static partial class NativeAllocator
{
    internal const int TrimThreshold = -1;
    internal const int MmapThreshold = -3;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "mallopt")]
    internal static partial int MallOpt(int parameter, int value);
}
