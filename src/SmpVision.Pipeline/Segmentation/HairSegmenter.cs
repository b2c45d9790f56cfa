using System.Runtime.CompilerServices;
using OpenCvSharp;
using SmpVision.Pipeline.Measurement.Colour;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>Output of <see cref="HairSegmenter"/>, at the working resolution. Owns its Mats.</summary>
internal sealed class HairSegmentation : IDisposable
{
    public HairSegmentation(Mat hairMask, Mat relativeDarkness, Mat grey, Mat analysable, double workScale, Mat workingBgr)
    {
        WorkingBgr = workingBgr;
        HairMask = hairMask;
        RelativeDarkness = relativeDarkness;
        Grey = grey;
        Analysable = analysable;
        WorkScale = workScale;
    }

    /// <summary>
    /// 8UC3 BGR frame at working resolution (area-averaged): kept so that colour and quality read the
    /// same pixels the segmentation saw without resizing the full frame again.
    /// </summary>
    public Mat WorkingBgr { get; }

    /// <summary>8UC1 at working resolution, 255 = hair.</summary>
    public Mat HairMask { get; }

    /// <summary>8UC1 relative darkness (0-255 = 0-1) of the max channel against local skin.</summary>
    public Mat RelativeDarkness { get; }

    /// <summary>8UC1 grey (luma) at working resolution: shows the blue-grey sub-surface shaft too.</summary>
    public Mat Grey { get; }

    /// <summary>8UC1 analysable mask at working resolution.</summary>
    public Mat Analysable { get; }

    /// <summary>Working pixels per full-resolution pixel (1 = full resolution).</summary>
    public double WorkScale { get; }

    /// <summary>Whether the shafts were segmented as darker or lighter than the skin.</summary>
    public HairPolarity Polarity { get; init; } = HairPolarity.Dark;

    /// <summary>Shaft evidence of the dark polarity: contrast summed over its shaft-shaped mask, per analysable pixel.</summary>
    public double DarkEvidence { get; init; }

    /// <summary>
    /// Shaft evidence of the light polarity: 0 when it was not evaluated (a forced polarity), and an
    /// upper bound of it (all lighter-than-skin contrast in the analysable area) when that bound
    /// already loses the decision.
    /// </summary>
    public double LightEvidence { get; init; }

    /// <summary>
    /// Shaft evidence of the chroma path (desaturation against the broad skin chroma over its
    /// shaft-shaped mask, per analysable pixel): 0 when the path was not tried (dark evidence strong
    /// enough, or a light or forced polarity).
    /// </summary>
    public double ChromaEvidence { get; init; }

    /// <summary>Whether the hair mask came from the chroma path (grey/white shafts on saturated skin).</summary>
    public bool ChromaUsed { get; init; }

    public void Dispose()
    {
        WorkingBgr.Dispose();
        HairMask.Dispose();
        RelativeDarkness.Dispose();
        Grey.Dispose();
        Analysable.Dispose();
    }
}

/// <summary>
/// Classical hair segmentation: a pixel is hair when every colour channel is darker than the
/// local skin by a relative margin (per-channel black-hat over a closing wider than any shaft,
/// divided by the skin level; the least-dark channel decides), with hysteresis seeded relative to
/// the frame's darkest structures and a half-maximum edge. The per-channel test keeps blue-grey
/// sub-surface shafts and blue marker dye (not dark in blue) out whatever the colour cast, and the
/// relative margin holds from very light to dark skin. Shafts lighter than the skin (blond, grey,
/// white hair on brown and dark skin, Chardon 1991 bands, DOMAIN.md) are found by the mirrored test;
/// which of the two a frame holds is decided from each one's shaft evidence against the broad skin
/// level (<see cref="ChoosePolarity"/>). Measures nothing itself; it yields the hair mask that counting,
/// widths (DOMAIN.md, shaft width) and colour use.
/// </summary>
internal static class HairSegmenter
{
    /// <summary>Working pixels per frame pixel at <see cref="HairSegmentationOptions.WorkingMicrometresPerPixel"/> (1 = full resolution, at least 0.2).</summary>
    internal static double WorkingFactor(double pixelsPerMillimetre, HairSegmentationOptions o) =>
        Math.Clamp(1000.0 / pixelsPerMillimetre / o.WorkingMicrometresPerPixel, 0.2, 1.0);

    public static HairSegmentation Segment(Mat bgr, Mat analysable, double pixelsPerMillimetre, HairSegmentationOptions o, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        ArgumentNullException.ThrowIfNull(analysable);
        ArgumentNullException.ThrowIfNull(o);
        double fullMicrometresPerPixel = 1000.0 / pixelsPerMillimetre;
        double scale = WorkingFactor(pixelsPerMillimetre, o);
        int w = Math.Max(1, (int)Math.Round(bgr.Cols * scale));
        int h = Math.Max(1, (int)Math.Round(bgr.Rows * scale));
        double umPerWorkPixel = fullMicrometresPerPixel / scale;

        // The working image is handed to the result (colour and quality reuse it); disposed here only on failure.
        var small = new Mat();
        try
        {
            if (scale < 1.0)
            {
                Cv2.Resize(bgr, small, new Size(w, h), 0, 0, InterpolationFlags.Area);
            }
            else
            {
                bgr.CopyTo(small);
            }

            return SegmentWorking(small, analysable, w, h, scale, umPerWorkPixel, o, ct);
        }
        catch
        {
            small.Dispose();
            throw;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe HairSegmentation SegmentWorking(
        Mat small, Mat analysable, int w, int h, double scale, double umPerWorkPixel, HairSegmentationOptions o, CancellationToken ct)
    {
        var ana = new Mat();
        Cv2.Resize(analysable, ana, new Size(w, h), 0, 0, InterpolationFlags.Area);
        Cv2.Threshold(ana, ana, 250, 255, ThresholdTypes.Binary);

        var grey = new Mat();
        Cv2.CvtColor(small, grey, ColorConversionCodes.BGR2GRAY);

        ct.ThrowIfCancellationRequested();
        int k = Math.Max(3, ((int)Math.Round(o.BackgroundKernelMicrometres / umPerWorkPixel)) | 1);
        using var notAna = new Mat();
        Cv2.BitwiseNot(ana, notAna);
        var channels = Cv2.Split(small);
        var relC = new Mat[3];
        var relV = new Mat[2];
        Mat? speckFreeSum = null;
        // Darkest channel against the flake-free skin: the light core of brown shafts (DarkShaftCores).
        Mat? speckFreeDarkest = null;
        double skinIta = double.NaN;
        try
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(k, k));
            using var bg = new Mat();
            var skinMedian = new byte[3];
            using var speckKernel = DarkShaftSpecks.Kernel(umPerWorkPixel, o);
            speckFreeSum = speckKernel is null ? null : new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
            speckFreeDarkest = speckKernel is null ? null : new Mat(h, w, MatType.CV_8UC1, Scalar.All(0));
            for (int i = 0; i < 3; i++)
            {
                var c = channels[i];
                // Masked overlays must not pull the skin estimate: give them the median skin level.
                skinMedian[i] = MedianOf(c, ana);
                c.SetTo(Scalar.All(skinMedian[i]), notAna);
                // Darkness relative to skin is a ratio: an additive flare offset (strong in the
                // channel of a colour cast) shrinks it in that channel only, so the blue test uses
                // darkness above the channel's black level. Hair darkness itself keeps the plain
                // ratio, so that the count does not move with how many dark shafts the frame holds.
                byte black = o.BlackLevelPercentile > 0 ? Percentile(c, ana, o.BlackLevelPercentile) : (byte)0;
                LocalSkinLevel(c, kernel, k, bg);
                relC[i] = new Mat(h, w, MatType.CV_8UC1);
                RelativeDarkness(c, bg, relC[i], 0);
                if (i != 1)
                {
                    relV[i / 2] = new Mat(h, w, MatType.CV_8UC1);
                    RelativeDarkness(c, bg, relV[i / 2], black);
                }

                if (speckKernel is not null)
                {
                    DarkShaftSpecks.AccumulateSpeckFreeDarkness(c, speckKernel, kernel, k, speckFreeSum!, speckFreeDarkest);
                }
            }

            // The frame's median colour is its skin (shafts are a minority of the field).
            skinIta = CieLab.IndividualTypologyAngleDegrees(CieLab.FromSrgb(skinMedian[2], skinMedian[1], skinMedian[0]));
        }
        finally
        {
            foreach (var c in channels)
            {
                c.Dispose();
            }
        }

        using var speckFreeDarkestOwner = speckFreeDarkest;
        var rel = new Mat(h, w, MatType.CV_8UC1);
        // Darkest channel's darkness: the core of a hollow-looking shaft (see FillHollowShafts).
        using var darkestChannel = new Mat();
        Cv2.Max(relC[0], relC[1], darkestChannel);
        Cv2.Max(darkestChannel, relC[2], darkestChannel);
        using (relC[0])
        using (relC[1])
        using (relC[2])
        using (relV[0])
        using (relV[1])
        {
            CombineChannels(relC[0], relC[1], relC[2], relV[0], relV[1], rel, (int)Math.Round(255 * o.MaxBlueShift), (int)Math.Round(256 * (skinIta < o.BlueVetoRatioMaxSkinItaDegrees ? o.BlueVetoMaxBlueToRedDarkness : 1.0)));
        }

        rel.SetTo(Scalar.All(0), notAna);
        // The hair mask of a dark read comes from the flake-gated darkness (DarkShaftSpecks); the
        // colour stage keeps the plain darkness, and so does the polarity decision where it is close.
        using var relGated = speckFreeSum is null ? null : rel.Clone();
        if (speckFreeSum is not null)
        {
            using (speckFreeSum)
            {
                DarkShaftSpecks.Gate(relGated!, speckFreeSum, 3, o.DarkSpeckFreeMinRelativeDarkness);
            }
        }

        double analysablePixels = Math.Max(1, Cv2.CountNonZero(ana));
        using var skinLevel = o.ForcedPolarity is null ? SkinLevel(grey, ana, notAna, o.PolaritySkinScaleMicrometres / umPerWorkPixel) : null;

        ct.ThrowIfCancellationRequested();
        Mat? darkMask = null;
        double darkEvidence = 0;
        if (o.ForcedPolarity != HairPolarity.Light)
        {
            darkMask = ShaftMask(relGated ?? rel, ana, umPerWorkPixel, o, darkestChannel);
            darkEvidence = skinLevel is null ? 0 : Evidence(grey, skinLevel, darkMask, false, o.PolarityMinFill, o.PolarityMinLengthMicrometres / umPerWorkPixel) / analysablePixels;
        }

        double lightEvidence = 0;
        if (o.ForcedPolarity is null)
        {
            // Exact shortcut: light evidence sums only shaft pixels lighter than the skin level, so
            // the same sum over the whole analysable area bounds it from above. When even that bound
            // cannot win the decision (most dark-hair frames), the light shaft mask is not built
            // and the bound is reported; the decision is the same either way.
            lightEvidence = Evidence(grey, skinLevel!, ana, true, 0, 0) / analysablePixels;
            if (relGated is not null && darkMask is not null
                && (ChoosePolarity(darkEvidence, lightEvidence, o) == HairPolarity.Light || darkEvidence < o.ChromaMaxDarkEvidence))
            {
                // Close call (light or chroma could win): decide on the plain darkness, as before the
                // flake gate, so that the gate moves no frame's polarity or path. Clear dark frames
                // (nearly all) skip this second mask: their gated evidence already wins by the margin.
                ct.ThrowIfCancellationRequested();
                using var plainMask = ShaftMask(rel, ana, umPerWorkPixel, o, darkestChannel);
                darkEvidence = Evidence(grey, skinLevel!, plainMask, false, o.PolarityMinFill, o.PolarityMinLengthMicrometres / umPerWorkPixel) / analysablePixels;
            }

            if (ChoosePolarity(darkEvidence, lightEvidence, o) == HairPolarity.Light)
            {
                // The decision reads lightness on grey only; the light frames then redo it per channel.
                using var litGrey = LightnessMap(grey, ana, notAna, k);
                ct.ThrowIfCancellationRequested();
                using var greyMask = ShaftMask(litGrey, ana, umPerWorkPixel, o, null);
                lightEvidence = Evidence(grey, skinLevel!, greyMask, true, o.PolarityMinFill, o.PolarityMinLengthMicrometres / umPerWorkPixel) / analysablePixels;
            }
        }

        var polarity = o.ForcedPolarity ?? ChoosePolarity(darkEvidence, lightEvidence, o);
        double chromaEvidence = 0;
        bool chromaUsed = false;
        if (o.ForcedPolarity is null && polarity == HairPolarity.Dark && darkEvidence < o.ChromaMaxDarkEvidence)
        {
            // Neither polarity sees much: try the shafts that differ from the skin in chroma (see ChromaContrast).
            ct.ThrowIfCancellationRequested();
            using var chroma = new Mat();
            var chromaMask = ChromaShaftMask(small, grey, skinLevel!, ana, notAna, k, umPerWorkPixel, o, chroma, o.ChromaMaxRelativeLightness, o.ChromaPathSmoothMicrometres / umPerWorkPixel);
            if (o.ChromaMaskMaxWidthMicrometres > 0)
            {
                // Broad desaturated skin patches are not shafts, and must not outweigh blond rims (BlondChromaBlobs).
                BlondChromaBlobs.DropWide(chromaMask, 0.5 * o.ChromaMaskMaxWidthMicrometres / umPerWorkPixel);
            }

            using (var chromaSkin = SkinLevel(chroma, ana, notAna, o.PolaritySkinScaleMicrometres / umPerWorkPixel))
            {
                chromaEvidence = Evidence(chroma, chromaSkin, chromaMask, false, o.PolarityMinFill, o.PolarityMinLengthMicrometres / umPerWorkPixel) / analysablePixels;
            }

            if (chromaEvidence >= o.ChromaMinEvidence && chromaEvidence > o.ChromaMinEvidenceRatio * darkEvidence)
            {
                darkMask!.Dispose();
                darkMask = chromaMask;
                chromaUsed = true;
                if (o.ChromaMaskMinLengthMicrometres > 0)
                {
                    ChromaShaftShape.KeepStraightLong(chromaMask, o.ChromaMaskMinLengthMicrometres / umPerWorkPixel, o.ChromaMaskMinFill);
                }
            }
            else
            {
                chromaMask.Dispose();
            }
        }

        // The frame's peak darkness gates the yellow core and the dark cores: read once, when needed.
        double? framePeak = null;
        double FramePeak() => framePeak ??= Percentile(relGated ?? rel, ana, o.FramePeakPercentile) / 255.0;

        // Neither pale pass runs without any shaft-shaped dark structure (a hairless frame): nothing to
        // fill. Dark evidence is only measured against the broad skin level, so a candidate has one.
        bool paleCandidate = polarity == HairPolarity.Dark && !chromaUsed && skinLevel is not null && darkEvidence >= o.PaleShaftMinDarkEvidence;
        if (paleCandidate && darkEvidence < o.PaleShaftMaxDarkEvidence)
        {
            // Blond shafts on tan or light skin: dark only at their rims, lighter than the skin between (session 12, PaleShaftCore).
            ct.ThrowIfCancellationRequested();
            var paleOptions = o with { HighRelativeDarkness = o.PaleShaftHighRelativeDarkness, LowRelativeDarkness = Math.Min(o.LowRelativeDarkness, o.PaleShaftHighRelativeDarkness) };
            var pale = ShaftMask(relGated ?? rel, ana, umPerWorkPixel, paleOptions, darkestChannel, m => PaleShaftCore.Fill(m, grey, skinLevel!, ana, o.HollowShaftMaxGapMicrometres / umPerWorkPixel, o.HollowShaftMaxRimToHalfWidth, o.HollowShaftMaxWidthMicrometres / umPerWorkPixel, o.PaleShaftMinCoreLightness));
            darkMask!.Dispose();
            darkMask = pale;
        }
        else if (paleCandidate && o.YellowCoreMinYellowness > 0 && FramePeak() < o.HollowShaftMaxFramePeak)
        {
            // Blond shafts on very light skin: the core is darker than the skin in blue only (session 12, PaleShaftCore).
            ct.ThrowIfCancellationRequested();
            using var blue = new Mat();
            using var red = new Mat();
            Cv2.ExtractChannel(small, blue, 0);
            Cv2.ExtractChannel(small, red, 2);
            double window = o.PolaritySkinScaleMicrometres / umPerWorkPixel;
            using var blueSkin = SkinLevel(blue, ana, notAna, window);
            using var redSkin = SkinLevel(red, ana, notAna, window);
            var yellow = ShaftMask(relGated ?? rel, ana, umPerWorkPixel, o, darkestChannel, m => PaleShaftCore.Fill(m, grey, skinLevel!, ana, o.HollowShaftMaxGapMicrometres / umPerWorkPixel, o.HollowShaftMaxRimToHalfWidth, o.HollowShaftMaxWidthMicrometres / umPerWorkPixel, double.PositiveInfinity, (blue, blueSkin, red, redSkin, o.YellowCoreMinYellowness)));
            darkMask!.Dispose();
            darkMask = yellow;
        }

        Mat mask;
        if (polarity == HairPolarity.Light)
        {
            // Per channel: blond and grey shafts differ from red-brown skin in colour as well as in grey.
            using var lit = LightnessMap(small, ana, notAna, k);
            ct.ThrowIfCancellationRequested();
            mask = ShaftMask(lit, ana, umPerWorkPixel, o, null);
            darkMask?.Dispose();
            if (o.LightShaftChromaExtent)
            {
                ct.ThrowIfCancellationRequested();
                // A forced polarity skipped the broad skin level; the chroma contrast's glare cut needs it.
                using var forcedSkin = skinLevel is null ? SkinLevel(grey, ana, notAna, o.PolaritySkinScaleMicrometres / umPerWorkPixel) : null;
                ExtendLightShafts(mask, small, grey, skinLevel ?? forcedSkin!, ana, notAna, k, umPerWorkPixel, skinIta, o);
            }
        }
        else
        {
            mask = darkMask!;
            // Hollow cores only where the rims are weak and the skin is redder than a brown shaft (tan to dark bands).
            if (!chromaUsed && speckFreeDarkest is not null && skinIta < o.DarkCoreMaxSkinItaDegrees
                && FramePeak() < o.DarkCoreMaxFramePeak)
            {
                DarkShaftCores.Fill(mask, speckFreeDarkest, umPerWorkPixel, o);
            }
            else if (!chromaUsed && skinLevel is not null && o.GreyCoreMaxGapMicrometres > 0 && skinIta >= o.GreyCoreMinSkinItaDegrees
                && FramePeak() < o.DarkCoreMaxFramePeak)
            {
                // Grey shafts on light skin: hollow at half maximum, their core neutral (tri21, GreyShaftCores).
                ct.ThrowIfCancellationRequested();
                GreyShaftCores.Apply(mask, chroma => ChromaShaftMask(small, grey, skinLevel, ana, notAna, k, umPerWorkPixel, o with { HalfMaximumFraction = o.LightShaftNeutralHalfMaximumFraction }, chroma, o.LightShaftExtentMaxRelativeLightness, o.LightShaftExtentChromaSmoothMicrometres / umPerWorkPixel), umPerWorkPixel, o);
            }
        }

        return new HairSegmentation(mask, rel, grey, ana, scale, small)
        {
            Polarity = polarity,
            DarkEvidence = darkEvidence,
            LightEvidence = lightEvidence,
            ChromaEvidence = chromaEvidence,
            ChromaUsed = chromaUsed,
        };
    }

    /// <summary>
    /// The full extent of the light read's shafts (<see cref="LightShaftExtent"/>). Grey and white
    /// shafts are neutral on skin of any ITA (skin is saturated, Chardon 1991, DOMAIN.md); a smoothed
    /// chroma mask without the glare cut covers them rim to rim (session 12). When most of the light
    /// mask lies in that neutral mask (<see cref="HairSegmentationOptions.LightShaftNeutralMinFraction"/>),
    /// the frame's shafts are neutral: light pixels away from every neutral body (skin between close
    /// shafts, which the light test's opening reads against their dark rims, and light flakes) are
    /// dropped and each light region takes its neutral body's extent, on any skin. Otherwise (blond
    /// shafts, saturated) the session 11 extent applies unchanged: the unsmoothed chroma mask with
    /// the glare cut, only on skin of ITA at least <see cref="HairSegmentationOptions.LightShaftExtentMinSkinItaDegrees"/>.
    /// </summary>
    private static void ExtendLightShafts(Mat mask, Mat small, Mat grey, Mat skinLevel, Mat ana, Mat notAna, int k, double umPerWorkPixel, double skinIta, HairSegmentationOptions o)
    {
        // The smoothing opening is as wide as the rim reach (odd, at least 3 px): a rim belongs to a body that wide.
        double rimPixels = o.LightShaftRimMicrometres / umPerWorkPixel;
        int smoothPixels = Math.Max(3, (int)Math.Round(rimPixels) | 1);
        using (var chroma = new Mat())
        using (var neutralMask = ChromaShaftMask(small, grey, skinLevel, ana, notAna, k, umPerWorkPixel, o with { HalfMaximumFraction = o.LightShaftNeutralHalfMaximumFraction }, chroma, o.LightShaftExtentMaxRelativeLightness, o.LightShaftExtentChromaSmoothMicrometres / umPerWorkPixel))
        {
            double neutral = LightShaftExtent.NeutralFraction(mask, neutralMask);
            if (o.LightShaftNeutralMinFraction <= 1 && neutral >= o.LightShaftNeutralMinFraction)
            {
                using var apart = new Mat();
                LightShaftExtent.KeepNearNeutral(mask, neutralMask, o.LightShaftNeutralReachMicrometres / umPerWorkPixel, apart);
                // Light regions apart from every neutral body stay only when shaped like a thin
                // straight shaft (the thin-shaft pass's test: vellus); light flakes are short.
                KeepThinStraightShafts(apart, o.ThinShaftMinLengthMicrometres / umPerWorkPixel, o.ThinShaftMaxWidthMicrometres / umPerWorkPixel, o.ThinShaftMinFill);
                Cv2.BitwiseOr(mask, apart, mask);
                LightShaftExtent.Extend(mask, neutralMask, rimPixels, smoothPixels);
                if (o.LightShaftAddLoneNeutral)
                {
                    LightShaftExtent.AddLoneNeutralShafts(mask, neutralMask, o.ThinShaftMinLengthMicrometres / umPerWorkPixel, o.ThinShaftMinFill, o.LoneNeutralCrossings);
                }

                return;
            }
        }

        // On dark skin a light shaft's shaded rims stay lighter than the skin: the light test already has its width.
        if (!(skinIta < o.LightShaftExtentMinSkinItaDegrees))
        {
            // The light test sees only the core of a grey or white shaft; its neutral extent is the whole shaft (session 11).
            using var chroma = new Mat();
            using var chromaMask = ChromaShaftMask(small, grey, skinLevel, ana, notAna, k, umPerWorkPixel, o, chroma, o.ChromaMaxRelativeLightness, 0);
            LightShaftExtent.Extend(mask, chromaMask, rimPixels, smoothPixels);
        }
    }

    /// <summary>
    /// Shaft mask of the chroma path: relative desaturation (<see cref="ChromaContrast"/>) with marker
    /// dye and its rim left out, through the same hysteresis and shape filters as the polarities.
    /// The frame's chroma image (see <see cref="ChromaImage"/>) is written to <paramref name="chroma"/>;
    /// <paramref name="maxRelativeLightness"/> is the glare cut of <see cref="ChromaContrast"/>.
    /// </summary>
    private static Mat ChromaShaftMask(Mat small, Mat grey, Mat skinLevel, Mat ana, Mat notAna, int k, double umPerWorkPixel, HairSegmentationOptions o, Mat chroma, double maxRelativeLightness, double smoothSigmaPixels)
    {
        using var blue = new Mat();
        using (var c = ChromaImage(small, ana, notAna, o.ChromaDyeMinBlueness, blue))
        {
            c.CopyTo(chroma);
        }

        if (smoothSigmaPixels > 0)
        {
            Cv2.GaussianBlur(chroma, chroma, new Size(0, 0), smoothSigmaPixels);
        }

        using var desaturation = ChromaContrast(chroma, grey, skinLevel, ana, k, maxRelativeLightness);
        // The rim of marker dye passes through neutral between blue and skin: a shaft-shaped
        // desaturated line. Nothing within reach of blue pixels counts.
        int reach = (2 * (int)Math.Round(o.ChromaDyeReachMicrometres / umPerWorkPixel)) + 1;
        using (var reachKernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(reach, reach)))
        {
            Cv2.Dilate(blue, blue, reachKernel);
        }

        desaturation.SetTo(Scalar.All(0), blue);
        return ShaftMask(desaturation, ana, umPerWorkPixel, o, null);
    }

    /// <summary>
    /// CIELAB chroma (C*ab = sqrt(a*^2 + b*^2), 8-bit Lab units, times 4 and clipped at 255 so that
    /// skin chroma of ~10-40 keeps its resolution), overlays and dye set to the frame's median chroma; and in
    /// <paramref name="blue"/> (8UC1, 255) the pixels whose b* is more than <paramref name="minBlueness"/>
    /// below the frame's median b* (its skin): marker dye.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe Mat ChromaImage(Mat bgr, Mat ana, Mat notAna, double minBlueness, Mat blue)
    {
        blue.Create(bgr.Rows, bgr.Cols, MatType.CV_8UC1);
        using var lab = new Mat();
        Cv2.CvtColor(bgr, lab, ColorConversionCodes.BGR2Lab);
        int blueCut;
        using (var bChannel = new Mat())
        {
            // Relative to the frame's median b*: dermoscope light with a blue cast shifts skin b* too.
            Cv2.ExtractChannel(lab, bChannel, 2);
            blueCut = MedianOf(bChannel, ana) - (int)Math.Round(minBlueness);
        }

        var chroma = new Mat(bgr.Rows, bgr.Cols, MatType.CV_8UC1);
        int rows = bgr.Rows, cols = bgr.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pl = MatPixels.Row(lab, y);
            byte* pc = MatPixels.Row(chroma, y);
            byte* pu = MatPixels.Row(blue, y);
            for (int x = 0; x < cols; x++)
            {
                int a = pl[(3 * x) + 1] - 128, b = pl[(3 * x) + 2] - 128;
                pu[x] = pl[(3 * x) + 2] < blueCut ? (byte)255 : (byte)0;
                pc[x] = (byte)Math.Min(255, (int)Math.Round(4 * Math.Sqrt((a * a) + (b * b))));
            }
        }

        // Dye is far more saturated than skin: as the closing's reference it would make the skin
        // around it read desaturated, so it takes the median like the overlays.
        using var outside = new Mat();
        Cv2.BitwiseOr(notAna, blue, outside);
        chroma.SetTo(Scalar.All(MedianOf(chroma, ana)), outside);
        return chroma;
    }

    /// <summary>
    /// Relative desaturation: how much less saturated (CIELAB chroma) each pixel is than the most
    /// saturated skin nearby (a closing of size <paramref name="k"/>, as the dark test reads darkness),
    /// 0-255 = 0-1. Grey and white shafts are neutral; skin of any ITA is orange-pink to brown, i.e.
    /// saturated (skin colour, DOMAIN.md), so a grey shaft of the skin's own lightness (mixed seed
    /// 828: L* 58 on L* 60) still differs from it here. Zero where the pixel is lighter than the broad
    /// skin level by more than <paramref name="maxRelativeLightness"/> (glare and specular sheen are
    /// neutral too, but light), and outside the analysable area. Marker dye is saturated (blue), so
    /// it does not read here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe Mat ChromaContrast(Mat chroma, Mat grey, Mat skinLevel, Mat ana, int k, double maxRelativeLightness)
    {
        using var bg = new Mat();
        using (var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(k, k)))
        {
            LocalSkinLevel(chroma, kernel, k, bg);
        }
        var rel = new Mat(chroma.Rows, chroma.Cols, MatType.CV_8UC1);
        RelativeDarkness(chroma, bg, rel, 0);
        int rows = rel.Rows, cols = rel.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pr = MatPixels.Row(rel, y);
            byte* pg = MatPixels.Row(grey, y);
            byte* ps = MatPixels.Row(skinLevel, y);
            byte* pa = MatPixels.Row(ana, y);
            for (int x = 0; x < cols; x++)
            {
                if (pa[x] == 0 || pg[x] > ps[x] * (1 + maxRelativeLightness))
                {
                    pr[x] = 0;
                }
            }
        }

        return rel;
    }

    /// <summary>
    /// The skin level under each pixel of <paramref name="c"/>: a closing wider than any shaft
    /// (<paramref name="kernel"/>, k x k rectangle), smoothed because the rectangular closing is
    /// blocky and would step at shafts, and never below the pixel itself. Written to <paramref name="bg"/>.
    /// </summary>
    internal static void LocalSkinLevel(Mat c, Mat kernel, int k, Mat bg)
    {
        Cv2.MorphologyEx(c, bg, MorphTypes.Close, kernel);
        Cv2.Blur(bg, bg, new Size(k, k));
        Cv2.Max(bg, c, bg);
    }

    /// <summary>
    /// Relative lightness (see <see cref="RelativeLightness"/>) of each channel of
    /// <paramref name="src"/> against an opening of size <paramref name="k"/> (the darkest skin
    /// nearby: the dark test mirrored), averaged over channels, zero outside the analysable area.
    /// No blue test: marker dye and the sub-surface shaft are darker than skin, never lighter.
    /// </summary>
    private static Mat LightnessMap(Mat src, Mat ana, Mat notAna, int k)
    {
        var channels = Cv2.Split(src);
        var sum = new Mat(src.Rows, src.Cols, MatType.CV_32FC1, Scalar.All(0));
        try
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(k, k));
            using var bg = new Mat();
            using var one = new Mat(src.Rows, src.Cols, MatType.CV_8UC1);
            using var everywhere = new Mat();
            foreach (var c in channels)
            {
                c.SetTo(Scalar.All(MedianOf(c, ana)), notAna);
                Cv2.MorphologyEx(c, bg, MorphTypes.Open, kernel);
                Cv2.Blur(bg, bg, new Size(k, k));
                Cv2.Min(bg, c, bg);
                RelativeLightness(c, bg, one);
                Cv2.Accumulate(one, sum, everywhere);
            }

            var lit = new Mat();
            sum.ConvertTo(lit, MatType.CV_8UC1, 1.0 / channels.Length);
            lit.SetTo(Scalar.All(0), notAna);
            return lit;
        }
        finally
        {
            sum.Dispose();
            foreach (var c in channels)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>
    /// The frame's shafts are lighter than its skin when the light polarity's shaft evidence
    /// exceeds the dark polarity's by <see cref="HairSegmentationOptions.LightPolarityMinEvidenceRatio"/>
    /// and reaches <see cref="HairSegmentationOptions.LightPolarityMinEvidence"/>: glare spots and oily
    /// highlights on dark-hair frames are few, short and round next to the dark shafts' evidence.
    /// </summary>
    internal static HairPolarity ChoosePolarity(double darkEvidence, double lightEvidence, HairSegmentationOptions o) =>
        lightEvidence >= o.LightPolarityMinEvidence && lightEvidence > o.LightPolarityMinEvidenceRatio * darkEvidence
            ? HairPolarity.Light
            : HairPolarity.Dark;

    /// <summary>
    /// Shaft mask of one polarity from its relative-contrast map: hysteresis seeded relative to the
    /// frame's strongest structures with a half-maximum edge, the thin-straight-shaft second
    /// hysteresis, edge smoothing, the hollow-shaft fill (dark polarity only: <paramref name="hollowCore"/>
    /// is the darkest channel's darkness, null for the light polarity), and the size and shape filters.
    /// <paramref name="beforeSmoothing"/>, when given, edits the hysteresis mask before the smoothing
    /// (the pale-shaft fill of session 12: thin rims would not survive the smoothing's opening).
    /// </summary>
    private static Mat ShaftMask(Mat rel, Mat ana, double umPerWorkPixel, HairSegmentationOptions o, Mat? hollowCore, Action<Mat>? beforeSmoothing = null)
    {
        Mat mask;
        // Seeds must be strong against this frame's own strongest structures too, so that faint
        // skin texture does not seed hairs on frames whose shafts are dark.
        double framePeak = Percentile(rel, ana, o.FramePeakPercentile) / 255.0;
        double seed = Math.Max(o.HighRelativeDarkness, o.SeedFractionOfFramePeak * framePeak);
        double low = Math.Min(seed, Math.Max(o.LowRelativeDarkness, o.LowFractionOfFramePeak * framePeak));
        mask = Hysteresis(rel, (byte)Math.Round(255 * low), (byte)Math.Round(255 * Math.Min(0.99, seed)), o.HalfMaximumFraction);
        // Thin light shafts: lower hystereses that keep only thin straight regions; each floor keeps
        // the shafts that are straight at its own level (a vellus shaft is straight at the lower
        // floor, an intermediate one beside texture only at the higher).
        foreach (var (thinSeedFraction, thinLowFraction) in new[]
        {
            (o.ThinShaftSeedFractionOfFramePeak, o.ThinShaftLowFractionOfFramePeak),
            (o.VellusSeedFractionOfFramePeak, o.VellusLowFractionOfFramePeak),
        })
        {
            if (thinSeedFraction <= 0)
            {
                continue;
            }

            double thinSeed = Math.Max(o.HighRelativeDarkness, thinSeedFraction * framePeak);
            double thinLow = Math.Min(thinSeed, Math.Max(o.LowRelativeDarkness, thinLowFraction * framePeak));
            if (thinSeed < seed)
            {
                using var thin = Hysteresis(rel, (byte)Math.Round(255 * thinLow), (byte)Math.Round(255 * Math.Min(0.99, thinSeed)), o.HalfMaximumFraction);
                KeepThinStraightShafts(thin, o.ThinShaftMinLengthMicrometres / umPerWorkPixel, o.ThinShaftMaxWidthMicrometres / umPerWorkPixel, o.ThinShaftMinFill);
                Cv2.BitwiseOr(mask, thin, mask);
            }
        }
        beforeSmoothing?.Invoke(mask);
        // Smooth ragged half-maximum edges so that slices do not see false gaps between shafts;
        // the opening stays at 3 px so that vellus shafts (< 30 um, ~5 working px) survive.
        using (var close = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(5, 5)))
        using (var open = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3)))
        {
            Cv2.MorphologyEx(mask, mask, MorphTypes.Close, close);
            Cv2.MorphologyEx(mask, mask, MorphTypes.Open, open);
        }

        // After the smoothing: speckled rims would read thin next to any pair of close shafts. Only
        // on frames whose darkest structures are weak: a core under half its rims' darkness needs rims
        // that are themselves weak (strong shafts stay solid at half maximum).
        if (hollowCore is not null && o.HollowShaftMaxGapMicrometres > 0 && framePeak < o.HollowShaftMaxFramePeak)
        {
            FillHollowShafts(mask, hollowCore, (byte)Math.Round(255 * low), o.HollowShaftMaxGapMicrometres / umPerWorkPixel, o.HollowShaftMaxRimToHalfWidth, o.HollowShaftMaxWidthMicrometres / umPerWorkPixel);
        }

        double minAreaPx = o.MinHairAreaSquareMicrometres / (umPerWorkPixel * umPerWorkPixel);
        RemoveSmall(mask, minAreaPx);
        RemoveNonShafts(mask, o.MinElongation, o.MinSolidity);
        return mask;
    }

    /// <summary>
    /// Fills the core of hollow-looking shafts: a grey or blond shaft on skin of nearly its lightness
    /// is darker than the skin only along its edges (a cylinder is shaded towards its rims, and its
    /// core carries the specular stripe; a neutral core on pink skin also reads "bluer than the skin"),
    /// so the half-maximum keeps two thin parallel rims, read as two narrow shafts. A gap closed by
    /// a line closing across it (any of 12 orientations, at most <paramref name="maxGapPixels"/>) is
    /// filled only where the pixel itself is darker than the skin in its darkest channel by at least
    /// <paramref name="minCore"/>/255, the frame's hair floor (the neutral core on pink skin is; skin
    /// between two shafts is not, also on dark skin, where texture reads darker relative to its level), where the rims beside it are thin next to the filled width (local maximum of the
    /// distance to the background at most <paramref name="maxRimToHalfWidth"/> of the filled one's):
    /// the gap between two separate shafts, each as wide as the rims around it, is left open, and a
    /// closing that does not widen a shaft (collinear fragments) adds nothing; nor is a fill kept
    /// whose filled width exceeds <paramref name="maxWidthPixels"/> (two hollow shafts side by side).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FillHollowShafts(Mat mask, Mat core, byte minCore, double maxGapPixels, double maxRimToHalfWidth, double maxWidthPixels)
    {
        int len = ShaftGapClosing.LineLength(maxGapPixels);
        using var closedAll = new Mat();
        ShaftGapClosing.CloseAcross(mask, len, closedAll);

        using var dtOriginal = new Mat();
        using var dtClosed = new Mat();
        ShaftGapClosing.LocalHalfWidth(mask, len, dtOriginal);
        ShaftGapClosing.LocalHalfWidth(closedAll, len, dtClosed);

        float ratio = (float)maxRimToHalfWidth;
        float maxHalfWidth = (float)(0.5 * maxWidthPixels);
        int rows = mask.Rows, cols = mask.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pm = MatPixels.Row(mask, y);
            byte* pc = MatPixels.Row(closedAll, y);
            byte* pk = MatPixels.Row(core, y);
            float* po = (float*)dtOriginal.Ptr(y);
            float* pd = (float*)dtClosed.Ptr(y);
            for (int x = 0; x < cols; x++)
            {
                if (pm[x] == 0 && pc[x] != 0 && pk[x] >= minCore && po[x] <= ratio * pd[x] && pd[x] <= maxHalfWidth)
                {
                    pm[x] = 255;
                }
            }
        }
    }

    /// <summary>
    /// Contrast of a mask's pixels against the broad skin level, summed (units of full contrast):
    /// darker than the skin for the dark polarity, lighter for the light one. Against the broad
    /// level rather than the local closing or opening, because skin between close shafts of the
    /// other polarity also reads as a shaft against those (it is as light as the skin around it).
    /// Only regions that fill at least <paramref name="minFill"/> of their minimum-area rectangle
    /// count: shafts have straight parallel edges, while glare sheen and oily highlights along skin
    /// folds are ragged. Only regions at least <paramref name="minLengthPixels"/> long count: a
    /// shaft long enough to be counted is, while scale flakes and glare specks (light on any skin)
    /// are short, and on frames with few hairs of low contrast their sum otherwise rivals the shafts'.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double Evidence(Mat grey, Mat skinLevel, Mat shaftMask, bool lighter, double minFill, double minLengthPixels)
    {
        using var mask = new Mat(shaftMask.Size(), MatType.CV_8UC1, Scalar.All(0));
        Cv2.FindContours(shaftMask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var straight = contours.Where(c => ChromaShaftShape.IsStraightLong(c, minLengthPixels, minFill)).ToList();
        if (straight.Count > 0)
        {
            Cv2.DrawContours(mask, straight, -1, Scalar.All(255), -1);
        }

        double sum = 0;
        int rows = grey.Rows, cols = grey.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pg = MatPixels.Row(grey, y);
            byte* ps = MatPixels.Row(skinLevel, y);
            byte* pm = MatPixels.Row(mask, y);
            for (int x = 0; x < cols; x++)
            {
                if (pm[x] != 0)
                {
                    int d = lighter ? pg[x] - ps[x] : ps[x] - pg[x];
                    if (d > 0)
                    {
                        sum += (double)d / Math.Max(1, (int)ps[x]);
                    }
                }
            }
        }

        return sum;
    }

    /// <summary>
    /// Broad skin level: the median grey over about <paramref name="windowPixels"/>, computed on a
    /// coarse copy (shafts are a minority of any such window, so the median is skin; vignetting
    /// still varies slower than the window). Overlays take the frame's median grey first.
    /// </summary>
    private static Mat SkinLevel(Mat grey, Mat ana, Mat notAna, double windowPixels)
    {
        const int Step = 8;
        using var filled = grey.Clone();
        filled.SetTo(Scalar.All(MedianOf(grey, ana)), notAna);
        using var coarse = new Mat();
        var coarseSize = new Size(Math.Max(1, grey.Cols / Step), Math.Max(1, grey.Rows / Step));
        Cv2.Resize(filled, coarse, coarseSize, 0, 0, InterpolationFlags.Area);
        int k = Math.Max(3, (int)Math.Round(windowPixels / Step) | 1);
        k = Math.Min(k, (Math.Min(coarseSize.Width, coarseSize.Height) - 1) | 1);
        if (k >= 3)
        {
            Cv2.MedianBlur(coarse, coarse, k);
        }

        var level = new Mat();
        Cv2.Resize(coarse, level, new Size(grey.Cols, grey.Rows), 0, 0, InterpolationFlags.Linear);
        return level;
    }

    /// <summary>
    /// rel = 255 * (c - bg) / bg: lightness of a channel relative to the local skin level (Weber
    /// contrast, clipped at 1), the mirror of <see cref="RelativeDarkness"/>. Relative to the skin
    /// rather than to white, so that glare on light skin (little headroom left) reads weak while a
    /// light shaft on dark skin reads strong.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RelativeLightness(Mat c, Mat bg, Mat rel)
    {
        int rows = c.Rows, cols = c.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pb = MatPixels.Row(bg, y);
            byte* pc = MatPixels.Row(c, y);
            byte* pr = MatPixels.Row(rel, y);
            for (int x = 0; x < cols; x++)
            {
                int b = Math.Max(1, (int)pb[x]);
                pr[x] = (byte)Math.Min(255, 255 * (pc[x] - pb[x]) / b);
            }
        }
    }

    /// <summary>rel = 255 * (bg - c) / (bg - black): darkness of a channel relative to the local skin level above the black level.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void RelativeDarkness(Mat c, Mat bg, Mat rel, int black)
    {
        int rows = c.Rows, cols = c.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pb = MatPixels.Row(bg, y);
            byte* pc = MatPixels.Row(c, y);
            byte* pr = MatPixels.Row(rel, y);
            for (int x = 0; x < cols; x++)
            {
                int b = pb[x] - black;
                pr[x] = b <= 0 ? (byte)0 : (byte)Math.Min(255, 255 * (pb[x] - pc[x]) / b);
            }
        }
    }

    /// <summary>
    /// Mean relative darkness of the three channels, zero where the pixel is darker in red than in
    /// blue by more than <paramref name="maxBlueShift"/> and its blue darkness is under
    /// <paramref name="maxBlueToRed256"/>/256 of its red darkness: bluer than the skin around it,
    /// as marker dye and the sub-surface shaft are (both measured above the channel black level, so
    /// a blue-lit frame does not veto black shafts). Black, brown, grey and blond shafts are as
    /// dark or darker in blue than in red on light skin, so they pass; on red-brown and dark skin a
    /// neutral black shaft is darker in red than in blue by more than the shift, but dark in blue
    /// too (the ratio), while dye and the sub-surface shaft are hardly dark in blue.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CombineChannels(Mat relB, Mat relG, Mat relR, Mat vetoB, Mat vetoR, Mat rel, int maxBlueShift, int maxBlueToRed256)
    {
        int rows = rel.Rows, cols = rel.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pb = MatPixels.Row(relB, y);
            byte* pg = MatPixels.Row(relG, y);
            byte* pr = MatPixels.Row(relR, y);
            byte* vb = MatPixels.Row(vetoB, y);
            byte* vr = MatPixels.Row(vetoR, y);
            byte* po = MatPixels.Row(rel, y);
            for (int x = 0; x < cols; x++)
            {
                po[x] = vr[x] - vb[x] > maxBlueShift && (vb[x] << 8) < maxBlueToRed256 * vr[x] ? (byte)0 : (byte)((pb[x] + pg[x] + pr[x]) / 3);
            }
        }
    }

    /// <summary>Fills <paramref name="hist"/> (256 bins) with an 8-bit image's values under a mask; returns the pixel count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe long MaskedHistogram(Mat img, Mat mask, Span<long> hist)
    {
        long n = 0;
        int rows = img.Rows, cols = img.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* p = MatPixels.Row(img, y);
            byte* m = MatPixels.Row(mask, y);
            for (int x = 0; x < cols; x++)
            {
                if (m[x] != 0)
                {
                    hist[p[x]]++;
                    n++;
                }
            }
        }

        return n;
    }

    /// <summary>Percentile (0-100) of an 8-bit image over a mask; 0 when the mask is empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static byte Percentile(Mat img, Mat mask, double percentile)
    {
        Span<long> hist = stackalloc long[256];
        var n = MaskedHistogram(img, mask, hist);

        if (n == 0)
        {
            return 0;
        }

        long target = (long)Math.Ceiling(percentile / 100.0 * n);
        long acc = 0;
        for (int i = 0; i < 256; i++)
        {
            acc += hist[i];
            if (acc >= target)
            {
                return (byte)i;
            }
        }

        return 255;
    }

    /// <summary>Median of an 8-bit image over a mask (histogram); 128 when the mask is empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static byte MedianOf(Mat img, Mat mask)
    {
        Span<long> hist = stackalloc long[256];
        var n = MaskedHistogram(img, mask, hist);

        if (n == 0)
        {
            return 128;
        }

        long half = n / 2, acc = 0;
        for (int i = 0; i < 256; i++)
        {
            acc += hist[i];
            if (acc > half)
            {
                return (byte)i;
            }
        }

        return 255;
    }

    /// <summary>
    /// Keeps regions above <paramref name="low"/> that contain a pixel above <paramref name="high"/>,
    /// and within each region only pixels at least <paramref name="halfMax"/> of the region's peak
    /// darkness (95th percentile): the shaft edge at half its contrast, whatever that contrast is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe Mat Hysteresis(Mat rel, byte low, byte high, double halfMax)
    {
        using var lowMask = new Mat();
        Cv2.Threshold(rel, lowMask, low, 255, ThresholdTypes.Binary);
        using var labels = new Mat();
        int n = Cv2.ConnectedComponents(lowMask, labels, PixelConnectivity.Connectivity8);
        var keep = new bool[n];
        var hist = new int[n * 256];
        int rows = rel.Rows, cols = rel.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pr = MatPixels.Row(rel, y);
            int* pl = MatPixels.RowInt(labels, y);
            for (int x = 0; x < cols; x++)
            {
                int l = pl[x];
                if (l == 0)
                {
                    continue;
                }

                hist[(l * 256) + pr[x]]++;
                if (pr[x] > high)
                {
                    keep[l] = true;
                }
            }
        }

        var cut = new int[n];
        for (int l = 1; l < n; l++)
        {
            long total = 0;
            for (int v = 0; v < 256; v++)
            {
                total += hist[(l * 256) + v];
            }

            long acc = 0;
            int p95 = 255;
            for (int v = 255; v >= 0; v--)
            {
                acc += hist[(l * 256) + v];
                if (acc >= 0.05 * total)
                {
                    p95 = v;
                    break;
                }
            }

            cut[l] = Math.Max(low, (int)Math.Round(halfMax * p95));
        }

        var outMask = new Mat(rows, cols, MatType.CV_8UC1);
        for (int y = 0; y < rows; y++)
        {
            int* pl = MatPixels.RowInt(labels, y);
            byte* pr = MatPixels.Row(rel, y);
            byte* po = MatPixels.Row(outMask, y);
            for (int x = 0; x < cols; x++)
            {
                int l = pl[x];
                po[x] = l > 0 && keep[l] && pr[x] >= cut[l] ? (byte)255 : (byte)0;
            }
        }

        return outMask;
    }

    /// <summary>
    /// Removes regions that are not shaft-shaped: shafts (alone or a few from one opening) are
    /// elongated and nearly convex; skin mottling and scale that pass the darkness test are
    /// round or ragged.
    /// </summary>
    internal static void RemoveNonShafts(Mat mask, double minElongation, double minSolidity)
    {
        Cv2.FindContours(mask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var drop = new List<Point[]>();
        foreach (var c in contours)
        {
            double area = Cv2.ContourArea(c);
            var rect = Cv2.MinAreaRect(c);
            double longSide = Math.Max(rect.Size.Width, rect.Size.Height);
            double shortSide = Math.Max(1, Math.Min(rect.Size.Width, rect.Size.Height));
            var hull = Cv2.ConvexHull(c);
            double hullArea = Math.Max(1, Cv2.ContourArea(hull));
            if (longSide / shortSide < minElongation || area / hullArea < minSolidity)
            {
                drop.Add(c);
            }
        }

        if (drop.Count > 0)
        {
            Cv2.DrawContours(mask, drop, -1, Scalar.All(0), -1);
        }
    }

    /// <summary>
    /// Keeps only regions shaped like one thin straight shaft: minimum-area rectangle at least
    /// <paramref name="minLength"/> long, at most <paramref name="maxWidth"/> wide, filled to at
    /// least <paramref name="minFill"/> (a straight shaft fills its rectangle; texture does not).
    /// </summary>
    private static void KeepThinStraightShafts(Mat mask, double minLength, double maxWidth, double minFill)
    {
        Cv2.FindContours(mask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var keep = new List<Point[]>();
        foreach (var c in contours)
        {
            var rect = Cv2.MinAreaRect(c);
            double longSide = Math.Max(rect.Size.Width, rect.Size.Height);
            double shortSide = Math.Max(1, Math.Min(rect.Size.Width, rect.Size.Height));
            if (longSide >= minLength && shortSide <= maxWidth && Cv2.ContourArea(c) >= minFill * longSide * shortSide)
            {
                keep.Add(c);
            }
        }

        mask.SetTo(Scalar.All(0));
        if (keep.Count > 0)
        {
            Cv2.DrawContours(mask, keep, -1, Scalar.All(255), -1);
        }
    }

    /// <summary>Removes 8-connected regions smaller than <paramref name="minArea"/> pixels, in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RemoveSmall(Mat mask, double minArea)
    {
        using var labels = new Mat();
        using var stats = new Mat();
        using var cents = new Mat();
        int n = Cv2.ConnectedComponentsWithStats(mask, labels, stats, cents, PixelConnectivity.Connectivity8);
        var drop = new bool[n];
        bool any = false;
        for (int i = 1; i < n; i++)
        {
            drop[i] = stats.At<int>(i, (int)ConnectedComponentsTypes.Area) < minArea;
            any |= drop[i];
        }

        if (!any)
        {
            return;
        }

        MatPixels.ClearLabels(mask, labels, drop);
    }
}
