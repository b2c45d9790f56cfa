using SmpVision.Pipeline.Calibration;

namespace SmpVision.Pipeline.Overhead;

/// <summary>Which way the patient's forehead points in a top-down photo.</summary>
public enum FrontDirection
{
    /// <summary>Forehead toward the bottom of the image: how a phone held over the head usually frames it.</summary>
    Down = 0,
    /// <summary>Forehead toward the top of the image.</summary>
    Up = 1,
    /// <summary>Forehead toward the left of the image.</summary>
    Left = 2,
    /// <summary>Forehead toward the right of the image.</summary>
    Right = 3,
}

/// <summary>View of an overhead photo (standard protocol: vertex, midline, frontal, temporal; Canfield 1996, DOMAIN.md).</summary>
public enum OverheadView
{
    /// <summary>Camera above the head looking down (vertex/midline views): zones are reported.</summary>
    TopDown = 0,
    /// <summary>Camera in front of the head: the hairline is the result that matters.</summary>
    Frontal = 1,
    /// <summary>Patient's left side.</summary>
    Left = 2,
    /// <summary>Patient's right side.</summary>
    Right = 3,
    /// <summary>Back of the head (occiput).</summary>
    Back = 4,
}

/// <summary>
/// Per-photo overhead inputs from the request: the view and face direction when the caller
/// knows them (null: detected), and the clinician's polygons in full-image pixels.
/// </summary>
/// <param name="View">Given view, or null to detect.</param>
/// <param name="Front">Given face direction (top views), or null to detect.</param>
/// <param name="TreatmentAreas">Clinician treatment areas: counted as scalp.</param>
/// <param name="Exclusions">Clinician exclusions: never scalp.</param>
public sealed record OverheadRequest(
    OverheadView? View = null,
    FrontDirection? Front = null,
    IReadOnlyList<SmpVision.Pipeline.Model.PolygonPixels>? TreatmentAreas = null,
    IReadOnlyList<SmpVision.Pipeline.Model.PolygonPixels>? Exclusions = null);

/// <summary>
/// Options of <see cref="OverheadAnalysis"/>. Pixel sizes are at the working resolution
/// (<see cref="WorkingLongSidePixels"/>), so results do not depend on the camera's megapixels.
/// The hair/skin thresholds are practice values set by looking at overlays of overhead-dev
/// (18 phone photos, Norwood 2-7): there is no published per-pixel standard for phone photos
/// (DOMAIN.md, Imaging modalities), so every one is overridable.
/// </summary>
public sealed record OverheadOptions
{
    /// <summary>Long side of the working image in pixels. Default 512: single hair strands of a 640-px phone photo still show as texture.</summary>
    public int WorkingLongSidePixels { get; init; } = 512;

    /// <summary>Long side of the image the head is segmented on (GrabCut is the slowest stage). Default 200.</summary>
    public int SegmentationLongSidePixels { get; init; } = 200;

    /// <summary>GrabCut iterations. Default 4.</summary>
    public int GrabCutIterations { get; init; } = 4;

    /// <summary>Seed of OpenCV's RNG for GrabCut's colour-model initialisation; fixed so results are reproducible. Default 0x5EED.</summary>
    public ulong GrabCutRandomSeed { get; init; } = 0x5EED;

    /// <summary>Head prior: semi-axes of the central ellipse taken as certainly head, as a fraction of the frame half-size. Default 0.25 (the protocol centres the head).</summary>
    public double HeadCoreFraction { get; init; } = 0.25;

    /// <summary>Head prior: semi-axes of the central ellipse taken as probably head, as a fraction of the frame half-size. Default 0.8.</summary>
    public double HeadProbableFraction { get; init; } = 0.8;

    /// <summary>Legs of the corner triangles taken as certainly background, as a fraction of the frame's short side. Default 0.12 (a round head leaves the corners of the frame to the background); 0 disables.</summary>
    public double CornerBackgroundFraction { get; init; } = 0.12;

    /// <summary>Shape prior: the head is cut to a disc of this many times its largest inscribed radius, which trims shoulders and arms of skin colour. Default 1.45 (a top-down head is an ellipse of aspect up to ~1.4).</summary>
    public double HeadRadiusFactor { get; init; } = 1.45;

    /// <summary>Sigma, in working pixels, of the blur removed before measuring texture (takes out shading and glare gradients). Default 2.5.</summary>
    public double HighPassSigmaPixels { get; init; } = 2.5;

    /// <summary>Side, in working pixels, of the window the local texture (std of high-passed L*) is measured in. Default 7.</summary>
    public int TextureWindowPixels { get; init; } = 7;

    /// <summary>Local texture (std of high-passed L*, L* units) at which a pixel starts to count as hair. Default 1.5.</summary>
    public double HairTextureLow { get; init; } = 1.5;

    /// <summary>Local texture at which a pixel fully counts as hair. Default 4.</summary>
    public double HairTextureHigh { get; init; } = 4;

    /// <summary>Lower-quartile grain (local texture, L* units) of skin-coloured scalp in a typical phone photo; the hair-texture thresholds scale with this photo's grain over it. Default 0.45.</summary>
    public double TypicalSkinTexture { get; init; } = 0.45;

    /// <summary>Smallest scale applied to the hair-texture thresholds (soft photos). Default 0.5.</summary>
    public double MinTextureScale { get; init; } = 0.5;

    /// <summary>
    /// Largest scale applied to the hair-texture thresholds (grainy photos, visible pores). Default 1:
    /// raising the thresholds for grainy photos removed false hair on glare (overhead-dev 7_15) but lost
    /// grey hair on light skin in noisy generated scenes, which is the worse failure for SMP planning.
    /// </summary>
    public double MaxTextureScale { get; init; } = 1;

    /// <summary>
    /// Side, in working pixels, of the window the orientation coherence of the high-passed L*
    /// gradients is pooled over. Default 15 (about 4% of a 512-px head: wide enough to hold several
    /// strands, narrow enough that a parting or whorl does not mix directions).
    /// </summary>
    public int CoherenceWindowPixels { get; init; } = 15;

    /// <summary>
    /// Orientation coherence below which texture is treated as isotropic (skin pores, sheen speckle,
    /// sensor noise) and gives no hair evidence. Default 0.3: random gradients pooled over the window
    /// give about 0.2-0.3, hair strands lie along one direction (overhead-dev overlays).
    /// </summary>
    public double HairCoherenceLow { get; init; } = 0.3;

    /// <summary>Orientation coherence at which texture counts fully as hair. Default 0.5.</summary>
    public double HairCoherenceHigh { get; init; } = 0.5;

    /// <summary>
    /// Orientation coherence at which weak texture (see <see cref="WeakHairTextureFraction"/>) counts
    /// fully as hair; weak texture starts to count at <see cref="HairCoherenceHigh"/>. Default 0.7.
    /// </summary>
    public double HairCoherenceStrong { get; init; } = 0.7;

    /// <summary>
    /// Short or soft hair (light-brown crops, soft phone photos) gives only weak texture, but still
    /// strongly oriented; texture from this fraction of <see cref="HairTextureLow"/> up to it counts as
    /// hair when the coherence reaches <see cref="HairCoherenceStrong"/>. Default 0.5 (rho on
    /// overhead-dev moved by at most 0.006 for 0.3-0.7 and for a strong-coherence ramp of 0.1-0.3).
    /// </summary>
    public double WeakHairTextureFraction { get; init; } = 0.5;

    /// <summary>How much darker than the photo's own bare-scalp reference (L* units) a pixel must be to start counting as hair. Default 12.</summary>
    public double HairDarknessLow { get; init; } = 12;

    /// <summary>Darkness below the bare-scalp reference (L* units) at which a pixel fully counts as hair. Default 30.</summary>
    public double HairDarknessHigh { get; init; } = 30;

    /// <summary>Mean local texture over the coverage window (L* units) below which a dark area counts as shadow, not hair; darkness counts fully at twice this. Default 0.5.</summary>
    public double ShadowTextureFloor { get; init; } = 0.5;

    /// <summary>Hair evidence (0-1) above which a pixel is a hair pixel. Default 0.5.</summary>
    public double HairEvidenceThreshold { get; init; } = 0.5;

    /// <summary>Side of the window hair coverage is averaged over, as a fraction of the head's equivalent diameter. Default 0.08.</summary>
    public double CoverageWindowFractionOfHead { get; init; } = 0.08;

    /// <summary>Hair-pixel coverage at or above which scalp is hair-bearing. Default 0.5 (practice, overhead-dev overlays).</summary>
    public double HairBearingMinCoverage { get; init; } = 0.5;

    /// <summary>Hair-pixel coverage at or above which scalp is thinning rather than hairless. Default 0.2 (practice, overhead-dev overlays).</summary>
    public double ThinningMinCoverage { get; init; } = 0.2;

    /// <summary>Which way the forehead points; orients the zones and the hairline. Default <see cref="FrontDirection.Down"/>.</summary>
    public FrontDirection Front { get; init; } = FrontDirection.Down;

    /// <summary>View of the photo. Default <see cref="OverheadView.TopDown"/>.</summary>
    public OverheadView View { get; init; } = OverheadView.TopDown;

    /// <summary>Marker search; null skips it (then no scale: fractions only).</summary>
    public MarkerOptions? Marker { get; init; } = new();

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (WorkingLongSidePixels is < 64 or > 4096)
        {
            e.Add($"{nameof(WorkingLongSidePixels)} must be in [64, 4096].");
        }

        if (SegmentationLongSidePixels < 48 || SegmentationLongSidePixels > WorkingLongSidePixels)
        {
            e.Add($"{nameof(SegmentationLongSidePixels)} must be in [48, {nameof(WorkingLongSidePixels)}].");
        }

        if (GrabCutIterations is < 1 or > 20)
        {
            e.Add($"{nameof(GrabCutIterations)} must be in [1, 20].");
        }

        if (!(HeadCoreFraction > 0 && HeadCoreFraction < HeadProbableFraction && HeadProbableFraction <= 1))
        {
            e.Add($"Need 0 < {nameof(HeadCoreFraction)} < {nameof(HeadProbableFraction)} <= 1.");
        }

        if (!(CornerBackgroundFraction >= 0 && CornerBackgroundFraction <= 0.3))
        {
            e.Add($"{nameof(CornerBackgroundFraction)} must be in [0, 0.3].");
        }

        if (!(HeadRadiusFactor >= 1 && HeadRadiusFactor <= 5))
        {
            e.Add($"{nameof(HeadRadiusFactor)} must be in [1, 5].");
        }

        if (!(HighPassSigmaPixels > 0 && HighPassSigmaPixels <= 50))
        {
            e.Add($"{nameof(HighPassSigmaPixels)} must be in (0, 50].");
        }

        if (TextureWindowPixels is < 3 or > 51)
        {
            e.Add($"{nameof(TextureWindowPixels)} must be in [3, 51].");
        }

        if (!(HairTextureLow >= 0 && HairTextureHigh > HairTextureLow))
        {
            e.Add($"Need 0 <= {nameof(HairTextureLow)} < {nameof(HairTextureHigh)}.");
        }

        if (!(TypicalSkinTexture > 0 && MinTextureScale > 0 && MaxTextureScale >= MinTextureScale))
        {
            e.Add($"Need {nameof(TypicalSkinTexture)} > 0 and 0 < {nameof(MinTextureScale)} <= {nameof(MaxTextureScale)}.");
        }

        if (!(CoherenceWindowPixels >= 3 && CoherenceWindowPixels <= 101))
        {
            e.Add($"{nameof(CoherenceWindowPixels)} must be 3-101.");
        }

        if (!(HairCoherenceLow >= 0 && HairCoherenceHigh > HairCoherenceLow && HairCoherenceHigh <= 1))
        {
            e.Add($"Need 0 <= {nameof(HairCoherenceLow)} < {nameof(HairCoherenceHigh)} <= 1.");
        }

        if (!(HairCoherenceStrong > HairCoherenceHigh && HairCoherenceStrong <= 1))
        {
            e.Add($"Need {nameof(HairCoherenceHigh)} < {nameof(HairCoherenceStrong)} <= 1.");
        }

        if (!(WeakHairTextureFraction > 0 && WeakHairTextureFraction < 1))
        {
            e.Add($"{nameof(WeakHairTextureFraction)} must be in (0, 1).");
        }

        if (!(HairDarknessLow >= 0 && HairDarknessHigh > HairDarknessLow))
        {
            e.Add($"Need 0 <= {nameof(HairDarknessLow)} < {nameof(HairDarknessHigh)}.");
        }

        if (!(ShadowTextureFloor > 0 && ShadowTextureFloor < 50))
        {
            e.Add($"{nameof(ShadowTextureFloor)} must be in (0, 50).");
        }

        if (!(HairEvidenceThreshold > 0 && HairEvidenceThreshold < 1))
        {
            e.Add($"{nameof(HairEvidenceThreshold)} must be in (0, 1).");
        }

        if (!(CoverageWindowFractionOfHead > 0 && CoverageWindowFractionOfHead <= 0.5))
        {
            e.Add($"{nameof(CoverageWindowFractionOfHead)} must be in (0, 0.5].");
        }

        if (!(ThinningMinCoverage > 0 && HairBearingMinCoverage > ThinningMinCoverage && HairBearingMinCoverage < 1))
        {
            e.Add($"Need 0 < {nameof(ThinningMinCoverage)} < {nameof(HairBearingMinCoverage)} < 1.");
        }

        if (!Enum.IsDefined(Front))
        {
            e.Add($"{nameof(Front)} is not a known direction.");
        }

        if (!Enum.IsDefined(View))
        {
            e.Add($"{nameof(View)} is not a known view.");
        }

        if (Marker is not null)
        {
            e.AddRange(Marker.Validate());
        }

        return e;
    }
}
