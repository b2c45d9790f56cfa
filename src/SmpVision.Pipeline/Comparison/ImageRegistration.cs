using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Comparison;

/// <summary>
/// One photo to register, with what is known about it. The masks are borrowed, not owned.
/// </summary>
/// <param name="Image">The photo.</param>
/// <param name="Modality">Its modality; <see cref="Modality.Unknown"/> skips the modality check.</param>
/// <param name="Scale">Its physical scale when known; both sides need one for the scale check.</param>
/// <param name="FeatureMask">Optional 8UC1 mask (non-zero = scalp) at the image's size: keypoints outside it
/// (burned-in text, scale bars, dermoscope rim) are ignored.</param>
internal sealed record RegistrationSide(ScalpImage Image, Modality Modality = Modality.Unknown, Scale? Scale = null, Mat? FeatureMask = null);

/// <summary>
/// Registers an after photo onto a before photo of the same patient and zone, or refuses with a
/// reason. Measures the after-to-before homography, RANSAC inlier count and ratio, the median
/// inlier reprojection error (px) and the overlap. Feature path: CLAHE on L* (brightness and
/// contrast robustness), AKAZE or ORB keypoints, Lowe ratio test (Lowe 2004), RANSAC homography
/// refined by least squares on the inliers. Fallback for low-texture frames: ECC maximisation
/// (Evangelidis and Psarakis 2008) on high-passed L*, coarse to fine. Every accepted transform
/// must be plausible for a follow-up photo; registration is what makes a before/after
/// comparison trustworthy (Bokhari et al. 2022, docs/DOMAIN-SOURCES.md, How good the incumbents are).
/// </summary>
internal static class ImageRegistration
{
    /// <summary>Registers without modality, scale or mask information (those checks are skipped).</summary>
    public static RegistrationResult Register(ScalpImage before, ScalpImage after, RegistrationOptions options, CancellationToken ct) =>
        Register(new RegistrationSide(before), new RegistrationSide(after), options, ct);

    /// <summary>Registers the after side onto the before side; see the class summary.</summary>
    public static RegistrationResult Register(RegistrationSide before, RegistrationSide after, RegistrationOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid registration options: " + string.Join(" ", errors), nameof(options));
        }

        ValidateMask(before.FeatureMask, before.Image, nameof(before));
        ValidateMask(after.FeatureMask, after.Image, nameof(after));

        var warnings = new List<PipelineWarning>();
        var compatibility = CheckCompatibility(before, after, options, warnings);
        if (compatibility is not null)
        {
            return compatibility;
        }

        if (Math.Min(before.Image.WidthPixels, before.Image.HeightPixels) < 32 || Math.Min(after.Image.WidthPixels, after.Image.HeightPixels) < 32)
        {
            return RegistrationResult.Refused(RegistrationRefusal.ImageTooSmall, RegistrationMethod.None, "An image is smaller than 32 px on a side; nothing to register.", warnings);
        }

        ct.ThrowIfCancellationRequested();
        var feature = RegisterByFeatures(before, after, options, warnings, ct);
        if (feature.Succeeded || !options.EnableEccFallback || !IsFeatureShortage(feature.Refusal))
        {
            return feature;
        }

        // Only a shortage of matches sends us to ECC: a geometric refusal of a well-supported transform stands.
        ct.ThrowIfCancellationRequested();
        var ecc = RegisterByEcc(before, after, options, warnings, ct);
        // When both fail, the feature refusal is the more telling reason; the ECC outcome is added.
        return ecc.Succeeded
            ? ecc
            : feature with { Message = $"{feature.Message} Intensity-based fallback: {ecc.Message}", EccCorrelation = ecc.EccCorrelation };
    }

    private static bool IsFeatureShortage(RegistrationRefusal refusal) =>
        refusal is RegistrationRefusal.TooFewMatches or RegistrationRefusal.TooFewInliers or RegistrationRefusal.InliersNotSpread;

    private static void ValidateMask(Mat? mask, ScalpImage image, string side)
    {
        if (mask is null)
        {
            return;
        }

        if (mask.Type() != MatType.CV_8UC1 || mask.Cols != image.WidthPixels || mask.Rows != image.HeightPixels)
        {
            throw new ArgumentException($"The {side} feature mask must be 8UC1 at the image size.", side);
        }
    }

    private static RegistrationResult? CheckCompatibility(RegistrationSide before, RegistrationSide after, RegistrationOptions options, List<PipelineWarning> warnings)
    {
        if (before.Modality != Modality.Unknown && after.Modality != Modality.Unknown && before.Modality != after.Modality)
        {
            return RegistrationResult.Refused(RegistrationRefusal.ModalityMismatch, RegistrationMethod.None,
                $"The before photo is {before.Modality} and the after photo is {after.Modality}; compare photos of the same kind.", warnings);
        }

        if (before.Scale is { } sb && after.Scale is { } sa && sb.PixelsPerMillimetre > 0 && sa.PixelsPerMillimetre > 0)
        {
            var ratio = Math.Max(sb.PixelsPerMillimetre, sa.PixelsPerMillimetre) / Math.Min(sb.PixelsPerMillimetre, sa.PixelsPerMillimetre);
            if (ratio - 1 > options.MaxScaleMismatchFraction)
            {
                return RegistrationResult.Refused(RegistrationRefusal.ScaleMismatch, RegistrationMethod.None,
                    $"The photos' scales differ by {(ratio - 1) * 100:F0}% ({sb.PixelsPerMillimetre:F1} vs {sa.PixelsPerMillimetre:F1} px/mm), more than the {options.MaxScaleMismatchFraction * 100:F0}% tolerance; take both at the same magnification.", warnings);
            }
        }
        else
        {
            warnings.Add(new PipelineWarning("scale-not-checked", "At least one photo has no scale, so their magnifications were not compared."));
        }

        return null;
    }

    /// <summary>L* with CLAHE at working resolution; returns the resampling factor (working px per full px).</summary>
    private static double PrepareLightness(ScalpImage image, int maxSide, RegistrationOptions options, Mat dst)
    {
        using var lab = new Mat();
        Cv2.CvtColor(image.Bgr, lab, ColorConversionCodes.BGR2Lab);
        using var l = new Mat();
        Cv2.ExtractChannel(lab, l, 0);
        var factor = Math.Min(1.0, (double)maxSide / Math.Max(image.WidthPixels, image.HeightPixels));
        using var resized = new Mat();
        if (factor < 1.0)
        {
            Cv2.Resize(l, resized, new Size(Math.Max(1, (int)Math.Round(image.WidthPixels * factor)), Math.Max(1, (int)Math.Round(image.HeightPixels * factor))), 0, 0, InterpolationFlags.Area);
        }
        else
        {
            l.CopyTo(resized);
        }

        using var clahe = Cv2.CreateCLAHE(options.ClaheClipLimit, new Size(options.ClaheTilesPerSide, options.ClaheTilesPerSide));
        clahe.Apply(resized, dst);
        return factor;
    }

    private static Mat? ResizeMask(Mat? mask, Size size)
    {
        if (mask is null)
        {
            return null;
        }

        var dst = new Mat();
        Cv2.Resize(mask, dst, size, 0, 0, InterpolationFlags.Nearest);
        return dst;
    }

    private static Feature2D CreateDetector(RegistrationOptions options) => options.Detector switch
    {
        FeatureDetectorKind.Orb => ORB.Create(options.MaxFeatures),
        _ => AKAZE.Create(threshold: (float)options.AkazeThreshold),
    };

    private static RegistrationResult RegisterByFeatures(RegistrationSide before, RegistrationSide after, RegistrationOptions options, List<PipelineWarning> warnings, CancellationToken ct)
    {
        const RegistrationMethod method = RegistrationMethod.FeatureHomography;
        using var lb = new Mat();
        using var la = new Mat();
        var fb = PrepareLightness(before.Image, options.WorkingMaxSidePixels, options, lb);
        var fa = PrepareLightness(after.Image, options.WorkingMaxSidePixels, options, la);
        using var mb = ResizeMask(before.FeatureMask, lb.Size());
        using var ma = ResizeMask(after.FeatureMask, la.Size());

        using var detector = CreateDetector(options);
        using var db = new Mat();
        using var da = new Mat();
        detector.DetectAndCompute(lb, Optional(mb), out var kb, db);
        ct.ThrowIfCancellationRequested();
        detector.DetectAndCompute(la, Optional(ma), out var ka, da);
        ct.ThrowIfCancellationRequested();
        if (kb.Length < options.MinInliers || ka.Length < options.MinInliers || db.Empty() || da.Empty())
        {
            return RegistrationResult.Refused(RegistrationRefusal.TooFewMatches, method,
                $"Too few distinctive points ({kb.Length} before, {ka.Length} after); the frames may be blurred or featureless.", warnings);
        }

        using var matcher = new BFMatcher(NormTypes.Hamming);
        var knn = matcher.KnnMatch(da, db, 2);
        var src = new List<Point2d>();
        var dst = new List<Point2d>();
        foreach (var pair in knn)
        {
            if (pair.Length == 2 && pair[0].Distance < options.MatchRatio * pair[1].Distance)
            {
                var pa = ka[pair[0].QueryIdx].Pt;
                var pb = kb[pair[0].TrainIdx].Pt;
                src.Add(new Point2d(pa.X, pa.Y));
                dst.Add(new Point2d(pb.X, pb.Y));
            }
        }

        if (src.Count < options.MinInliers)
        {
            return RegistrationResult.Refused(RegistrationRefusal.TooFewMatches, method,
                $"Only {src.Count} unambiguous matches (need {options.MinInliers}); the photos may show different scalp areas.", warnings) with { MatchCount = src.Count };
        }

        ct.ThrowIfCancellationRequested();
        using var inlierMask = new Mat();
        using var hRansac = Cv2.FindHomography(src, dst, HomographyMethods.Ransac, options.RansacThresholdPixels, inlierMask, options.RansacMaxIterations, 0.999);
        if (hRansac.Empty())
        {
            return RegistrationResult.Refused(RegistrationRefusal.TooFewInliers, method,
                $"No consistent transform among {src.Count} matches; the photos probably show different scalp areas.", warnings) with { MatchCount = src.Count };
        }

        var inSrc = new List<Point2d>();
        var inDst = new List<Point2d>();
        for (var i = 0; i < src.Count; i++)
        {
            if (inlierMask.At<byte>(i) != 0)
            {
                inSrc.Add(src[i]);
                inDst.Add(dst[i]);
            }
        }

        var inlierRatio = (double)inSrc.Count / src.Count;
        if (inSrc.Count < options.MinInliers || inlierRatio < options.MinInlierRatio)
        {
            return RegistrationResult.Refused(RegistrationRefusal.TooFewInliers, method,
                $"Only {inSrc.Count} of {src.Count} matches agree on one transform (need {options.MinInliers} and {options.MinInlierRatio:P0}); the photos probably show different scalp areas.", warnings)
                with { MatchCount = src.Count, InlierCount = inSrc.Count, InlierRatio = inlierRatio };
        }

        // Least squares on the inliers only: RANSAC's minimal-sample model is noisier.
        using var hRefined = Cv2.FindHomography(inSrc, inDst, 0, options.RansacThresholdPixels, null, options.RansacMaxIterations, 0.999);
        var hWork = ToArray(hRefined.Empty() ? hRansac : hRefined);
        var hFull = HomographyMath.Rescale(hWork, fa, fb);

        var residuals = new double[inSrc.Count];
        for (var i = 0; i < inSrc.Count; i++)
        {
            var p = HomographyMath.Apply(hFull, inSrc[i].X / fa, inSrc[i].Y / fa);
            residuals[i] = Math.Sqrt(Math.Pow(p.X - inDst[i].X / fb, 2) + Math.Pow(p.Y - inDst[i].Y / fb, 2));
        }

        var medianResidual = Median(residuals);

        var result = new RegistrationResult(true, method, RegistrationRefusal.None, "Aligned by feature matching.", hFull,
            src.Count, inSrc.Count, inlierRatio, medianResidual, null, null, null, null, null, null, warnings);
        result = CheckGeometry(result, before, after, options, warnings);
        if (result.Succeeded)
        {
            var spread = InlierSpread(inDst.Select(p => new PointPixels(p.X / fb, p.Y / fb)).ToList(), hFull, before, after, options.SpreadGridCellsPerSide);
            if (spread < options.MinInlierSpreadFraction)
            {
                return result with
                {
                    Succeeded = false,
                    Refusal = RegistrationRefusal.InliersNotSpread,
                    Message = $"The {inSrc.Count} agreeing matches fall in only {spread:P0} of the shared area's grid cells (need {options.MinInlierSpreadFraction:P0}); they may sit on overlays (text bars, scale bars) rather than the scalp.",
                };
            }
        }

        return result;
    }

    internal static RegistrationResult RegisterByEcc(RegistrationSide before, RegistrationSide after, RegistrationOptions options, List<PipelineWarning> warnings, CancellationToken ct)
    {
        const RegistrationMethod method = RegistrationMethod.Ecc;
        using var lb = new Mat();
        using var la = new Mat();
        var fb = PrepareLightness(before.Image, options.EccMaxSidePixels, options, lb);
        var fa = PrepareLightness(after.Image, options.EccMaxSidePixels, options, la);
        using var hb = HighPass(lb);
        using var ha = HighPass(la);
        using var mb = ResizeMask(before.FeatureMask, lb.Size());

        // ECC finds W with after(W x) ~ before(x): W maps before to after. Start from identity
        // (same working scale on both sides), coarse level first.
        var w = HomographyMath.Rescale(HomographyMath.Identity(), fb, fa);
        double correlation = 0;
        try
        {
            foreach (var level in new[] { 0.5, 1.0 })
            {
                ct.ThrowIfCancellationRequested();
                using var tb = new Mat();
                using var ta = new Mat();
                Cv2.Resize(hb, tb, new Size(Math.Max(8, (int)(hb.Cols * level)), Math.Max(8, (int)(hb.Rows * level))), 0, 0, InterpolationFlags.Area);
                Cv2.Resize(ha, ta, new Size(Math.Max(8, (int)(ha.Cols * level)), Math.Max(8, (int)(ha.Rows * level))), 0, 0, InterpolationFlags.Area);
                using var tm = ResizeMask(mb, tb.Size());
                var wLevel = HomographyMath.Rescale(w, 1 / level, 1 / level);
                using var warp = new Mat(3, 3, MatType.CV_32FC1);
                for (var k = 0; k < 9; k++)
                {
                    warp.Set(k / 3, k % 3, (float)wLevel[k]);
                }

                correlation = Cv2.FindTransformECC(tb, ta, warp, MotionTypes.Homography,
                    new TermCriteria(CriteriaTypes.Count | CriteriaTypes.Eps, options.EccMaxIterations, 1e-6), Optional(tm), 5);
                w = HomographyMath.Rescale(ToArray(warp), level, level);
            }
        }
        catch (OpenCVException ex)
        {
            return RegistrationResult.Refused(RegistrationRefusal.LowCorrelation, method, $"Intensity-based alignment did not converge ({ex.Message}).", warnings);
        }

        var afterToBeforeWork = HomographyMath.Invert(w);
        if (afterToBeforeWork is null)
        {
            return RegistrationResult.Refused(RegistrationRefusal.DegenerateTransform, method, "Intensity-based alignment produced a singular transform.", warnings);
        }

        if (correlation < options.EccMinCorrelation)
        {
            return RegistrationResult.Refused(RegistrationRefusal.LowCorrelation, method,
                $"Intensity-based alignment reached a correlation of only {correlation:F2} (need {options.EccMinCorrelation:F2}); the photos probably show different scalp areas.", warnings) with { EccCorrelation = correlation };
        }

        var hFull = HomographyMath.Rescale(afterToBeforeWork, fa, fb);
        var result = new RegistrationResult(true, method, RegistrationRefusal.None, "Aligned by intensity correlation (few distinctive points).", hFull,
            0, 0, 0, null, correlation, null, null, null, null, null, warnings);
        return CheckGeometry(result, before, after, options, warnings);
    }

    /// <summary>
    /// Fraction of the grid cells of the before frame that lie in the overlap (and on the feature
    /// mask, when given) and hold at least one inlier. Burned-in overlays (a text bar at the top, a
    /// scale bar in a corner) are identical across unrelated frames and can yield many consistent
    /// matches, but only in a few cells; matches on scalp texture fill most cells.
    /// </summary>
    private static double InlierSpread(IReadOnlyList<PointPixels> inliersBefore, double[] afterToBefore, RegistrationSide before, RegistrationSide after, int cellsPerSide)
    {
        var beforeToAfter = HomographyMath.Invert(afterToBefore);
        if (beforeToAfter is null)
        {
            return 0;
        }

        double w = before.Image.WidthPixels, h = before.Image.HeightPixels;
        double cw = w / cellsPerSide, ch = h / cellsPerSide;
        var eligible = new bool[cellsPerSide, cellsPerSide];
        var eligibleCount = 0;
        for (var j = 0; j < cellsPerSide; j++)
        {
            for (var i = 0; i < cellsPerSide; i++)
            {
                var cx = (i + 0.5) * cw;
                var cy = (j + 0.5) * ch;
                var pa = HomographyMath.Apply(beforeToAfter, cx, cy);
                var inAfter = HomographyMath.Denominator(beforeToAfter, cx, cy) > 0 && pa.X >= 0 && pa.Y >= 0 && pa.X < after.Image.WidthPixels && pa.Y < after.Image.HeightPixels;
                var onMask = before.FeatureMask is null || before.FeatureMask.At<byte>((int)cy, (int)cx) != 0;
                if (inAfter && onMask)
                {
                    eligible[i, j] = true;
                    eligibleCount++;
                }
            }
        }

        if (eligibleCount == 0)
        {
            return 0;
        }

        var covered = new bool[cellsPerSide, cellsPerSide];
        var coveredCount = 0;
        foreach (var p in inliersBefore)
        {
            var i = Math.Clamp((int)(p.X / cw), 0, cellsPerSide - 1);
            var j = Math.Clamp((int)(p.Y / ch), 0, cellsPerSide - 1);
            if (eligible[i, j] && !covered[i, j])
            {
                covered[i, j] = true;
                coveredCount++;
            }
        }

        return (double)coveredCount / eligibleCount;
    }

    /// <summary>L* minus its large-scale blur, smoothed: removes vignetting and exposure gradients that would otherwise dominate ECC.</summary>
    private static Mat HighPass(Mat l)
    {
        using var f = new Mat();
        l.ConvertTo(f, MatType.CV_32FC1);
        using var low = new Mat();
        var sigma = Math.Max(l.Cols, l.Rows) / 20.0;
        Cv2.GaussianBlur(f, low, new Size(0, 0), sigma);
        var hp = new Mat();
        Cv2.Subtract(f, low, hp);
        Cv2.GaussianBlur(hp, hp, new Size(0, 0), 1.0);
        return hp;
    }

    /// <summary>Fills in the transform's shape and overlap and refuses implausible ones.</summary>
    private static RegistrationResult CheckGeometry(RegistrationResult result, RegistrationSide before, RegistrationSide after, RegistrationOptions options, List<PipelineWarning> warnings)
    {
        var h = result.HomographyAfterToBefore!;
        double wa = after.Image.WidthPixels, ha = after.Image.HeightPixels;
        PointPixels[] corners = [new(0, 0), new(wa, 0), new(wa, ha), new(0, ha)];
        var shape = HomographyMath.Shape(h, wa / 2, ha / 2, corners);
        result = result with
        {
            ScaleFactor = shape.ScaleFactor,
            RotationDegrees = shape.RotationDegrees,
            Anisotropy = shape.Anisotropy,
            PerspectiveRatio = shape.PerspectiveRatio,
        };

        RegistrationResult Refuse(RegistrationRefusal refusal, string message) => result with { Succeeded = false, Refusal = refusal, Message = message };

        if (shape.IsReflection || double.IsInfinity(shape.PerspectiveRatio) || shape.ScaleFactor < 1e-6 || double.IsNaN(shape.ScaleFactor))
        {
            return Refuse(RegistrationRefusal.DegenerateTransform, "The estimated transform mirrors or folds the image; the photos do not correspond.");
        }

        if (shape.ScaleFactor < options.MinScaleFactor || shape.ScaleFactor > options.MaxScaleFactor)
        {
            return Refuse(RegistrationRefusal.ImplausibleTransform,
                $"The estimated scale change {shape.ScaleFactor:F2}x is outside {options.MinScaleFactor:F2}-{options.MaxScaleFactor:F2}x; take both photos at the same magnification and distance.");
        }

        if (shape.Anisotropy > options.MaxAnisotropy)
        {
            return Refuse(RegistrationRefusal.ImplausibleTransform, $"The estimated transform shears the image by {shape.Anisotropy:F2} (limit {options.MaxAnisotropy:F2}); the photos do not correspond.");
        }

        if (shape.PerspectiveRatio > options.MaxPerspectiveRatio)
        {
            return Refuse(RegistrationRefusal.ImplausibleTransform, $"The estimated perspective change ({shape.PerspectiveRatio:F2}) exceeds {options.MaxPerspectiveRatio:F2}; take both photos square to the scalp.");
        }

        var warped = corners.Select(c => HomographyMath.Apply(h, c.X, c.Y)).Select(p => new Point2f((float)p.X, (float)p.Y)).ToArray();
        double wb = before.Image.WidthPixels, hb = before.Image.HeightPixels;
        // Rasterised rather than Cv2.IntersectConvexConvex: that routine returns wrong areas when
        // the polygons share edges, which is exactly the case of two aligned, identical frames.
        var overlap = QuadOverlapFraction(warped, wb, hb);
        result = result with { OverlapFraction = overlap };
        if (overlap < options.MinOverlapFraction)
        {
            return Refuse(RegistrationRefusal.InsufficientOverlap, $"The aligned photos share only {overlap:P0} of the before frame (need {options.MinOverlapFraction:P0}); photograph the same spot.");
        }

        if (before.Scale is { } sb && after.Scale is { } sa && sb.PixelsPerMillimetre > 0 && sa.PixelsPerMillimetre > 0)
        {
            // A feature 1 mm long spans sb px before and sa px after, so the map should scale by sb / sa.
            var expected = sb.PixelsPerMillimetre / sa.PixelsPerMillimetre;
            if (Math.Abs(shape.ScaleFactor / expected - 1) > options.MaxScaleMismatchFraction)
            {
                warnings.Add(new PipelineWarning("scale-disagrees-with-registration",
                    $"The stated scales imply a {expected:F2}x size change but the images align at {shape.ScaleFactor:F2}x; densities use the before photo's scale."));
            }
        }

        return result;
    }

    private static InputArray? Optional(Mat? m) => m is null ? null : InputArray.Create(m);

    internal static double[] ToArray(Mat m)
    {
        var r = new double[9];
        for (var k = 0; k < 9; k++)
        {
            r[k] = m.Type() == MatType.CV_32FC1 ? m.At<float>(k / 3, k % 3) : m.At<double>(k / 3, k % 3);
        }

        return HomographyMath.Normalise(r) ?? r;
    }

    internal static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.OrderBy(v => v).ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Share of a w x h frame covered by a (warped) quadrilateral, rasterised on a grid of at most 256 px per side.</summary>
    internal static double QuadOverlapFraction(Point2f[] quad, double width, double height)
    {
        var f = 256.0 / Math.Max(width, height);
        int gw = Math.Max(1, (int)Math.Round(width * f)), gh = Math.Max(1, (int)Math.Round(height * f));
        using var mask = new Mat(gh, gw, MatType.CV_8UC1, Scalar.All(0));
        var scaled = quad.Select(p => new Point((int)Math.Round(p.X * f), (int)Math.Round(p.Y * f))).ToArray();
        Cv2.FillPoly(mask, [scaled], Scalar.All(255));
        return Cv2.CountNonZero(mask) / (double)(gw * gh);
    }
}
