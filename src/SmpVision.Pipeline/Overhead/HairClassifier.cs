using OpenCvSharp;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Overhead;

/// <summary>Working-resolution output of <see cref="HairClassifier"/>. Owns its Mats.</summary>
internal sealed class HairMaps : IDisposable
{
    internal HairMaps(Mat labels, Mat coverage, Mat evidence)
    {
        Labels = labels;
        Coverage = coverage;
        Evidence = evidence;
    }

    /// <summary>8UC1 <see cref="RegionClass"/> values; OffScalp outside the scalp.</summary>
    internal Mat Labels { get; }

    /// <summary>32FC1 hair-pixel coverage (0-1) averaged over the coverage window.</summary>
    internal Mat Coverage { get; }

    /// <summary>32FC1 per-pixel hair evidence (0-1).</summary>
    internal Mat Evidence { get; }

    internal LabColour? BareScalpColour { get; init; }

    internal LabColour? HairColour { get; init; }

    internal bool ReferenceFromBareScalp { get; init; }

    public void Dispose()
    {
        Labels.Dispose();
        Coverage.Dispose();
        Evidence.Dispose();
    }
}

/// <summary>
/// Splits scalp into hair-bearing, thinning and hairless. Per pixel, hair evidence is the larger of
/// (a) fine texture: the local standard deviation of L* after the shading is high-passed away
/// (hair strands are fine light/dark stripes, bare skin and glare are smooth), counted only where the
/// gradients are oriented (structure-tensor coherence: strands are lines, pores and sheen speckle are
/// round), with weak texture admitted where it is strongly oriented (short, soft hair), and (b) darkness
/// relative to this photo's own bare-scalp colour (dense dark hair). The bare-scalp reference is
/// the median CIELAB of smooth, skin-hued head pixels, so light and dark skin adapt per photo
/// (CIELAB work, DOMAIN.md, Colour and skin tone). The hair-pixel share in a window a fixed
/// fraction of the head wide is the coverage; coverage thresholds give the classes.
/// </summary>
internal static class HairClassifier
{
    /// <summary>Fallback L* for the bare-scalp reference when a photo shows no bare scalp (full head of hair).</summary>
    private const double FallbackSkinLightness = 62;

    internal static HairMaps Classify(Mat workingBgr, Mat scalpMask, OverheadOptions o, CancellationToken ct)
    {
        using var lab = new Mat();
        using (var bgrF = new Mat())
        {
            workingBgr.ConvertTo(bgrF, MatType.CV_32FC3, 1.0 / 255.0);
            Cv2.CvtColor(bgrF, lab, ColorConversionCodes.BGR2Lab);
        }

        var channels = Cv2.Split(lab);
        using var lightness = channels[0];
        using var aStar = channels[1];
        using var bStar = channels[2];
        using var chroma = new Mat();
        Cv2.Magnitude(aStar, bStar, chroma);

        using var texture = LocalTexture(lightness, o);
        using var coherence = OrientationCoherence(lightness, o);
        ct.ThrowIfCancellationRequested();

        var reference = BareScalpReference(lightness, aStar, bStar, chroma, texture, scalpMask, o, out double skinTexture);
        // Hair-texture thresholds follow this photo's own bare-skin grain: a soft photo shows hair as
        // faint texture, a sharp one shows pores as strong texture.
        double textureScale = reference is null ? 1.0
            : Math.Clamp(skinTexture / o.TypicalSkinTexture, o.MinTextureScale, o.MaxTextureScale);
        double skinL = reference?.L ?? FallbackSkinLightness;

        double headDiameter = Math.Sqrt(4 * Cv2.CountNonZero(scalpMask) / Math.PI);
        int window = Math.Max(3, ((int)Math.Round(headDiameter * o.CoverageWindowFractionOfHead) / 2 * 2) + 1);
        using var areaTexture = new Mat();
        Cv2.BoxFilter(texture, areaTexture, MatType.CV_32F, new Size(window, window), null, true, BorderTypes.Reflect);
        var evidence = Evidence(lightness, chroma, texture, coherence, areaTexture, skinL, reference is null ? 0 : Chroma(reference.Value), textureScale, o);
        using var hairPixels = new Mat();
        Cv2.Threshold(evidence, hairPixels, o.HairEvidenceThreshold, 1.0, ThresholdTypes.Binary);
        using var scalpF = new Mat();
        scalpMask.ConvertTo(scalpF, MatType.CV_32F, 1.0 / 255.0);
        using (var inner = new Mat())
        using (var innerF = new Mat())
        using (var k = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size((o.TextureWindowPixels * 2) + 1, (o.TextureWindowPixels * 2) + 1)))
        {
            // The head outline itself is a strong edge: do not let it read as hair texture.
            Cv2.Erode(scalpMask, inner, k);
            inner.ConvertTo(innerF, MatType.CV_32F, 1.0 / 255.0);
            Cv2.Multiply(hairPixels, innerF, hairPixels);
        }

        // Coverage normalised by the scalp share of the window, so the head edge is not diluted by background.
        var coverage = new Mat();
        using (var scalpShare = new Mat())
        {
            Cv2.BoxFilter(hairPixels, coverage, MatType.CV_32F, new Size(window, window), null, true, BorderTypes.Reflect);
            Cv2.BoxFilter(scalpF, scalpShare, MatType.CV_32F, new Size(window, window), null, true, BorderTypes.Reflect);
            Cv2.Max(scalpShare, Scalar.All(1e-3), scalpShare);
            Cv2.Divide(coverage, scalpShare, coverage);
        }

        ct.ThrowIfCancellationRequested();

        var labels = new Mat(workingBgr.Size(), MatType.CV_8UC1, Scalar.All((int)RegionClass.OffScalp));
        using (var inScalp = new Mat())
        using (var cls = new Mat())
        {
            labels.SetTo(Scalar.All((int)RegionClass.Hairless), scalpMask);
            Cv2.Compare(coverage, Scalar.All(o.ThinningMinCoverage), cls, CmpTypes.GE);
            Cv2.BitwiseAnd(cls, scalpMask, inScalp);
            labels.SetTo(Scalar.All((int)RegionClass.Thinning), inScalp);
            Cv2.Compare(coverage, Scalar.All(o.HairBearingMinCoverage), cls, CmpTypes.GE);
            Cv2.BitwiseAnd(cls, scalpMask, inScalp);
            labels.SetTo(Scalar.All((int)RegionClass.HairBearing), inScalp);
        }

        LabColour? hairColour;
        using (var hairMask = new Mat())
        {
            hairPixels.ConvertTo(hairMask, MatType.CV_8U, 255);
            hairColour = MedianLab(lightness, aStar, bStar, hairMask);
        }

        return new HairMaps(labels, coverage, evidence)
        {
            BareScalpColour = reference,
            HairColour = hairColour,
            ReferenceFromBareScalp = reference is not null,
        };
    }

    private static double Chroma(LabColour c) => Math.Sqrt((c.A * c.A) + (c.B * c.B));

    /// <summary>
    /// Per-pixel hair evidence (0-1) = max(texture ramp, darkness evidence). Darkness well past
    /// <see cref="OverheadOptions.HairDarknessHigh"/> counts on its own; moderate darkness counts
    /// only when the pixel is also greyer than shaded skin would be (skin in shadow keeps its
    /// chroma in proportion to L*, hair does not), so the shaded sides of a bald dome are not hair.
    /// Darkness is further discounted where the window around the pixel is smooth (shadow).
    /// </summary>
    private static Mat Evidence(Mat lightness, Mat chroma, Mat texture, Mat coherence, Mat areaTexture, double skinL, double skinChroma, double textureScale, OverheadOptions o)
    {
        var evidence = new Mat(lightness.Size(), MatType.CV_32FC1);
        var lRows = lightness.AsRows<float>();
        var cRows = chroma.AsRows<float>();
        var tRows = texture.AsRows<float>();
        var eRows = evidence.AsRows<float>();
        var aRows = areaTexture.AsRows<float>();
        var kRows = coherence.AsRows<float>();
        double coherenceSpan = o.HairCoherenceHigh - o.HairCoherenceLow;
        double strongSpan = o.HairCoherenceStrong - o.HairCoherenceHigh;
        double weakLow = o.WeakHairTextureFraction * o.HairTextureLow * textureScale;
        int rowCount = lightness.Rows, colCount = lightness.Cols;
        double chromaPerLightness = skinChroma / Math.Max(1, skinL);
        double darkSpan = o.HairDarknessHigh - o.HairDarknessLow;
        double textureLow = o.HairTextureLow * textureScale, textureHigh = o.HairTextureHigh * textureScale;
        for (int y = 0; y < rowCount; y++)
        {
            var lr = lRows[y];
            var cr = cRows[y];
            var tr = tRows[y];
            var er = eRows[y];
            var ar = aRows[y];
            var kr = kRows[y];
            for (int x = 0; x < colCount; x++)
            {
                // Texture is hair only where it is oriented (strands), not isotropic (pores, speckle).
                double oriented = Math.Clamp((kr[x] - o.HairCoherenceLow) / coherenceSpan, 0, 1);
                double tex = Math.Clamp((tr[x] - textureLow) / (textureHigh - textureLow), 0, 1) * oriented;

                // Short or soft hair gives only weak texture, but still oriented; weak isotropic texture is skin grain.
                double weak = Math.Clamp((tr[x] - weakLow) / (textureLow - weakLow), 0, 1)
                    * Math.Clamp((kr[x] - o.HairCoherenceHigh) / strongSpan, 0, 1);
                tex = Math.Max(tex, weak);
                double darkness = skinL - lr[x];
                double dark = Math.Clamp((darkness - o.HairDarknessLow) / darkSpan, 0, 1);
                double veryDark = Math.Clamp((darkness - o.HairDarknessHigh) / (0.5 * darkSpan), 0, 1);
                double gate = 1;
                if (chromaPerLightness > 0)
                {
                    double expected = chromaPerLightness * lr[x];
                    gate = Math.Clamp(((0.9 * expected) - cr[x]) / Math.Max(1e-3, 0.3 * expected), 0, 1);
                }

                // A dark but smooth area (mean texture over the window below the floor) is shadow, not hair.
                double areaGate = Math.Clamp((ar[x] - o.ShadowTextureFloor) / o.ShadowTextureFloor, 0, 1);
                er[x] = (float)Math.Max(tex, Math.Max(veryDark, dark * gate) * areaGate);
            }
        }

        return evidence;
    }

    /// <summary>Local std of high-passed L*: sqrt(E[h^2] - E[h]^2) over the texture window.</summary>
    internal static Mat LocalTexture(Mat lightness, OverheadOptions o)
    {
        using var blurred = new Mat();
        Cv2.GaussianBlur(lightness, blurred, new Size(0, 0), o.HighPassSigmaPixels);
        using var high = new Mat();
        Cv2.Subtract(lightness, blurred, high);
        using var sq = new Mat();
        Cv2.Multiply(high, high, sq);
        var size = new Size(o.TextureWindowPixels, o.TextureWindowPixels);
        using var mean = new Mat();
        using var meanSq = new Mat();
        Cv2.BoxFilter(high, mean, MatType.CV_32F, size, null, true, BorderTypes.Reflect);
        Cv2.BoxFilter(sq, meanSq, MatType.CV_32F, size, null, true, BorderTypes.Reflect);
        Cv2.Multiply(mean, mean, mean);
        var texture = new Mat();
        Cv2.Subtract(meanSq, mean, texture);
        Cv2.Max(texture, Scalar.All(0), texture);
        Cv2.Sqrt(texture, texture);
        return texture;
    }

    /// <summary>
    /// Orientation coherence (0-1) of the L* gradient structure tensor over the texture window:
    /// (l1 - l2) / (l1 + l2). Hair strands are long thin lines, so their gradients share one
    /// direction (coherence high); skin pores and sheen speckle are round, isotropic blobs (low).
    /// </summary>
    internal static Mat OrientationCoherence(Mat lightness, OverheadOptions o)
    {
        // Gradients of the high-passed L*, so smooth shading across a bald dome (coherent but not hair) drops out.
        using var high = new Mat();
        Cv2.GaussianBlur(lightness, high, new Size(0, 0), o.HighPassSigmaPixels);
        Cv2.Subtract(lightness, high, high);
        using var gx = new Mat();
        using var gy = new Mat();
        Cv2.Sobel(high, gx, MatType.CV_32F, 1, 0, 3);
        Cv2.Sobel(high, gy, MatType.CV_32F, 0, 1, 3);
        using var jxx = new Mat();
        using var jyy = new Mat();
        using var jxy = new Mat();
        Cv2.Multiply(gx, gx, jxx);
        Cv2.Multiply(gy, gy, jyy);
        Cv2.Multiply(gx, gy, jxy);
        var size = new Size(o.CoherenceWindowPixels, o.CoherenceWindowPixels);
        Cv2.BoxFilter(jxx, jxx, MatType.CV_32F, size, null, true, BorderTypes.Reflect);
        Cv2.BoxFilter(jyy, jyy, MatType.CV_32F, size, null, true, BorderTypes.Reflect);
        Cv2.BoxFilter(jxy, jxy, MatType.CV_32F, size, null, true, BorderTypes.Reflect);
        var coherence = new Mat(lightness.Size(), MatType.CV_32FC1);
        var xxRows = jxx.AsRows<float>();
        var yyRows = jyy.AsRows<float>();
        var xyRows = jxy.AsRows<float>();
        var cRows = coherence.AsRows<float>();
        int rowCount = lightness.Rows, colCount = lightness.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            var xx = xxRows[y];
            var yy = yyRows[y];
            var xy = xyRows[y];
            var cr = cRows[y];
            for (int x = 0; x < colCount; x++)
            {
                double trace = xx[x] + yy[x];
                double diff = xx[x] - yy[x];
                double root = Math.Sqrt((diff * diff) + (4.0 * xy[x] * xy[x]));
                cr[x] = trace <= 1e-6 ? 0f : (float)(root / trace);
            }
        }

        return coherence;
    }

    /// <summary>dst = clamp((src - low) / (high - low), 0, 1).</summary>
    private static void Ramp(Mat src, double low, double high, Mat dst)
    {
        src.ConvertTo(dst, MatType.CV_32F, 1.0 / (high - low), -low / (high - low));
        Cv2.Max(dst, Scalar.All(0), dst);
        Cv2.Min(dst, Scalar.All(1), dst);
    }

    /// <summary>
    /// Median CIELAB of smooth, skin-hued scalp pixels: texture below the hair-texture floor, chroma
    /// at least 6, hue angle 10-90 degrees (reds to yellows: skin of every ITA band), L* 20-92 (no
    /// deep shadow, no blown glare). Null when fewer than 2% of the scalp qualify.
    /// </summary>
    private static LabColour? BareScalpReference(Mat l, Mat a, Mat b, Mat chroma, Mat texture, Mat scalpMask, OverheadOptions o, out double skinTexture)
    {
        skinTexture = 0;
        using var cand = new Mat();
        using var tmp = new Mat();
        Cv2.Compare(texture, Scalar.All(o.HairTextureLow), cand, CmpTypes.LT);
        Cv2.BitwiseAnd(cand, scalpMask, cand);
        Cv2.Compare(chroma, Scalar.All(6), tmp, CmpTypes.GE);
        Cv2.BitwiseAnd(cand, tmp, cand);
        Cv2.InRange(l, Scalar.All(20), Scalar.All(92), tmp);
        Cv2.BitwiseAnd(cand, tmp, cand);

        // Brown hair is skin-hued too: keep only the lighter mode of the scalp's L* (Otsu), where bare skin lies.
        double otsu = OtsuLightness(l, scalpMask);
        Cv2.Compare(l, Scalar.All(otsu), tmp, CmpTypes.GE);
        Cv2.BitwiseAnd(cand, tmp, cand);
        using (var angle = new Mat())
        {
            Cv2.Phase(a, b, angle, angleInDegrees: true);
            Cv2.InRange(angle, Scalar.All(10), Scalar.All(90), tmp);
            Cv2.BitwiseAnd(cand, tmp, cand);
        }

        int scalp = Cv2.CountNonZero(scalpMask);
        using (var grain = new Mat())
        {
            // Grain of skin-coloured pixels in the lighter mode, before the smoothness test; the lower
            // quartile, so that hair mixed into the candidates does not raise it.
            Cv2.Compare(chroma, Scalar.All(6), grain, CmpTypes.GE);
            Cv2.BitwiseAnd(grain, scalpMask, grain);
            Cv2.Compare(l, Scalar.All(otsu), tmp, CmpTypes.GE);
            Cv2.BitwiseAnd(grain, tmp, grain);
            if (Cv2.CountNonZero(grain) > 0)
            {
                skinTexture = MaskedPercentile(texture, grain, 0.25);
            }
        }

        if (scalp == 0 || Cv2.CountNonZero(cand) < 0.02 * scalp)
        {
            return null;
        }

        return MedianLab(l, a, b, cand);
    }

    /// <summary>Otsu threshold of L* (0-100) over the masked pixels.</summary>
    private static double OtsuLightness(Mat l, Mat mask)
    {
        var histogram = new double[101];
        var lRows = l.AsRows<float>();
        var mRows = mask.AsRows<byte>();
        int rowCount = l.Rows, colCount = l.Cols;
        double n = 0;
        for (int y = 0; y < rowCount; y++)
        {
            var lr = lRows[y];
            var mr = mRows[y];
            for (int x = 0; x < colCount; x++)
            {
                if (mr[x] != 0)
                {
                    histogram[Math.Clamp((int)Math.Round(lr[x]), 0, 100)]++;
                    n++;
                }
            }
        }

        double total = 0;
        for (int i = 0; i <= 100; i++)
        {
            total += i * histogram[i];
        }

        double weightLow = 0, sumLow = 0, best = -1;
        int bestAt = 50;
        for (int t = 0; t < 100; t++)
        {
            weightLow += histogram[t];
            sumLow += t * histogram[t];
            double weightHigh = n - weightLow;
            if (weightLow == 0 || weightHigh == 0)
            {
                continue;
            }

            double meanLow = sumLow / weightLow, meanHigh = (total - sumLow) / weightHigh;
            double between = weightLow * weightHigh * (meanLow - meanHigh) * (meanLow - meanHigh);
            if (between > best)
            {
                best = between;
                bestAt = t + 1;
            }
        }

        return bestAt;
    }

    /// <summary>
    /// Median CIELAB of the bald-scalp skin: hairless-class pixels whose own hair evidence is
    /// below threshold (stray strands out). Null when nothing is hairless.
    /// </summary>
    internal static LabColour? BaldSkinColour(Mat workingBgr, HairMaps maps, double evidenceThreshold = 0.5)
    {
        using var bald = new Mat();
        Cv2.Compare(maps.Labels, Scalar.All((int)RegionClass.Hairless), bald, CmpTypes.EQ);
        using var notHair = new Mat();
        Cv2.Compare(maps.Evidence, Scalar.All(evidenceThreshold), notHair, CmpTypes.LT);
        Cv2.BitwiseAnd(bald, notHair, bald);
        if (Cv2.CountNonZero(bald) == 0)
        {
            return null;
        }

        using var bgrF = new Mat();
        using var lab = new Mat();
        workingBgr.ConvertTo(bgrF, MatType.CV_32FC3, 1.0 / 255.0);
        Cv2.CvtColor(bgrF, lab, ColorConversionCodes.BGR2Lab);
        var ch = Cv2.Split(lab);
        try
        {
            return MedianLab(ch[0], ch[1], ch[2], bald);
        }
        finally
        {
            foreach (var c in ch)
            {
                c.Dispose();
            }
        }
    }

    private static LabColour? MedianLab(Mat l, Mat a, Mat b, Mat mask)
    {
        if (Cv2.CountNonZero(mask) == 0)
        {
            return null;
        }

        return new LabColour(MaskedMedian(l, mask), MaskedMedian(a, mask), MaskedMedian(b, mask));
    }

    private static double MaskedMedian(Mat values, Mat mask) => MaskedPercentile(values, mask, 0.5);

    private static double MaskedPercentile(Mat values, Mat mask, double q)
    {
        var list = new List<float>();
        var vRows = values.AsRows<float>();
        var mRows = mask.AsRows<byte>();
        int rowCount = values.Rows, colCount = values.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            var vr = vRows[y];
            var mr = mRows[y];
            for (int x = 0; x < colCount; x++)
            {
                if (mr[x] != 0)
                {
                    list.Add(vr[x]);
                }
            }
        }

        list.Sort();
        return list[(int)(q * (list.Count - 1))];
    }
}
