using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Registration acceptance on real frames: each frame is warped by a known rotation, scale,
/// shift, perspective and brightness/contrast change, registered back, and the recovered
/// homography compared with the truth on a grid of points. Each frame is also paired with a
/// frame of another patient, which must be refused.
/// </summary>
public sealed class EvalRegistrationCommand : IToolCommand
{
    public string Name => "eval-registration";

    public string Usage => "--manifest PATH [--limit N] [--seed S] [--detector akaze|orb] [--hairs detect|annotations] [--map-dir DIR] [--verbose] [--only IMAGE] [--method common|per-photo] [--kernel linear|cubic|lanczos] [--no-colour] [--no-differential] [--differential-sigmas K] | --synthetic-pairs N [--synthetic-ppm P] [--synthetic-change hairs|units] [--diagnose-added]";

    public int Run(IReadOnlyList<string> args)
    {
        string? manifest = null;
        var limit = 20;
        var seed = 1;
        var verbose = false;
        var hairSource = "detect";
        var syntheticPairs = 0;
        var syntheticPpm = 180.0;
        var syntheticChange = "hairs";
        string? mapDir = null;
        var options = new RegistrationOptions();
        var common = new CommonGeometryOptions();
        var perPhoto = false;
        string? only = null;
        var diagnoseAdded = false;
        var differential = new DifferentialChangeOptions();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest": manifest = args[++i]; break;
                case "--limit": limit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--detector": options = options with { Detector = args[++i] == "orb" ? FeatureDetectorKind.Orb : FeatureDetectorKind.Akaze }; break;
                case "--verbose": verbose = true; break;
                case "--hairs": hairSource = args[++i]; break;
                case "--synthetic-pairs": syntheticPairs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--synthetic-ppm": syntheticPpm = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--synthetic-change": syntheticChange = args[++i]; break;
                case "--map-dir": mapDir = args[++i]; break;
                case "--only": only = args[++i]; break;
                case "--method": perPhoto = args[++i] == "per-photo"; break;
                case "--kernel": common = common with { Kernel = Enum.Parse<ResamplingKernel>(args[++i], ignoreCase: true) }; break;
                case "--diagnose-added": diagnoseAdded = true; break;
                case "--no-colour": common = common with { NormaliseColour = false }; break;
                case "--no-differential": differential = differential with { Enabled = false }; break;
                case "--differential-sigmas": differential = differential with { ThresholdNoiseSigmas = double.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: {Usage}");
                    return 2;
            }
        }

        if (syntheticPairs > 0)
        {
            return RunSynthetic(syntheticPairs, syntheticPpm, syntheticChange == "units", seed, options, perPhoto ? null : common, differential, mapDir, verbose, diagnoseAdded);
        }

        if (manifest is null || !File.Exists(manifest))
        {
            Console.Error.WriteLine($"A readable --manifest is required. Usage: {Usage}");
            return 2;
        }

        var root = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        var rows = ReadManifest(manifest);
        var hairsCsv = Path.Combine(root, "hairs.csv");
        var annotations = hairSource == "annotations" && File.Exists(hairsCsv) ? HairBoxes.Read(hairsCsv) : null;
        var detect = hairSource == "detect";
        var hairChanges = new List<double>();
        long pooledBefore = 0, pooledAfter = 0;
        int noSignificantChange = 0, pairedNoSignificantChange = 0;
        if (mapDir is not null)
        {
            Directory.CreateDirectory(mapDir);
        }
        // Spread the sample over patients: every k-th row.
        var step = Math.Max(1, rows.Count / Math.Max(1, limit));
        var sample = rows.Where((_, i) => i % step == 0).Take(limit).ToList();

        var errors = new List<double>();
        var residuals = new List<double>();
        var failures = 0;
        var unrelatedAccepted = 0;
        var unrelatedTried = 0;
        var seconds = new List<double>();
        for (var i = 0; i < sample.Count; i++)
        {
            var row = sample[i];
            if (only is not null && !row.Image.Contains(only, StringComparison.Ordinal))
            {
                // Keeps the frame's index, so its warp is the one the full run drew.
                continue;
            }

            var rng = new Random(seed * 7919 + i);
            var warp = new KnownWarp(
                RotationDegrees: Uniform(rng, -20, 20),
                ScaleFactor: Uniform(rng, 0.9, 1.1),
                ShiftXPixels: Uniform(rng, -40, 40),
                ShiftYPixels: Uniform(rng, -40, 40),
                PerspectiveX: Uniform(rng, -0.08, 0.08),
                PerspectiveY: Uniform(rng, -0.08, 0.08),
                Contrast: Uniform(rng, 0.75, 1.25),
                BrightnessOffset: Uniform(rng, -25, 25));

            using var before = Load(Path.Combine(root, row.Image));
            var (after, valid) = warp.Apply(before, reflectBorder: true);
            using (after)
            using (valid)
            {
                using var afterMask = Erode(valid);
                var sw = Stopwatch.StartNew();
                var result = ImageRegistration.Register(new RegistrationSide(before), new RegistrationSide(after, FeatureMask: afterMask), options, CancellationToken.None);
                seconds.Add(sw.Elapsed.TotalSeconds);
                var hTrue = warp.Homography(before.WidthPixels, before.HeightPixels);
                double? error = result.HomographyAfterToBefore is { } h ? KnownWarp.MedianGridErrorPixels(hTrue, h, before.WidthPixels, before.HeightPixels) : null;
                if (result.Succeeded && error is { } e)
                {
                    errors.Add(e);
                    residuals.Add(result.MedianReprojectionErrorPixels ?? double.NaN);
                }
                else
                {
                    failures++;
                }

                ChangeResult? change = null;
                if (result.Succeeded && annotations is not null && annotations.TryGetValue(row.Image, out var boxes))
                {
                    change = CompareAnnotated(before, after, valid, boxes, hTrue, result);
                }
                else if (result.Succeeded && detect)
                {
                    change = CompareDetected(before, after, valid, row.PixelsPerMillimetre, options, perPhoto ? null : common, differential, verbose);
                }

                if (change is not null)
                {
                    if (change.Overall?.Hairs.RelativeChangeFraction is { } relative)
                    {
                        hairChanges.Add(relative);
                        pooledBefore += change.Overall.Hairs.BeforeCount;
                        pooledAfter += change.Overall.Hairs.AfterCount;
                        noSignificantChange += change.Overall.Hairs.Significance == ChangeSignificance.NoSignificantChange ? 1 : 0;
                        pairedNoSignificantChange += change.Overall.Matching.Significance == ChangeSignificance.NoSignificantChange ? 1 : 0;
                    }

                    if (mapDir is not null && change.ChangeMapPng is { } png)
                    {
                        File.WriteAllBytes(Path.Combine(mapDir, Path.GetFileNameWithoutExtension(row.Image) + "_change.png"), png);
                    }

                    if (verbose)
                    {
                        Console.WriteLine($"  hairs {change.Overall?.Hairs.BeforeCount} -> {change.Overall?.Hairs.AfterCount} ({change.Overall?.Hairs.RelativeChangeFraction:P1}, {change.Overall?.Hairs.Significance}), matched {change.Overall?.Matching.MatchedCount} gained {change.Overall?.Matching.GainedCount} lost {change.Overall?.Matching.LostCount}, common {change.CommonAreaFractionOfBefore:P0}");
                    }
                }

                if (verbose || !result.Succeeded)
                {
                    Console.WriteLine($"{row.Image}: {(result.Succeeded ? "ok" : "REFUSED " + result.Refusal)} {result.Method} inliers {result.InlierCount}/{result.MatchCount} residual {result.MedianReprojectionErrorPixels:F2} grid error {error:F2} px ({sw.Elapsed.TotalSeconds:F2} s) {(result.Succeeded ? "" : result.Message)}");
                }
            }

            // Unrelated pairs: this frame against a frame of another patient, and against another
            // field of the same patient (same skin and hair, different spot), both warped.
            var otherPatient = sample.Skip(i + 1).Concat(sample.Take(i)).FirstOrDefault(r => r.Patient != row.Patient);
            var otherField = rows.FirstOrDefault(r => r.Patient == row.Patient && r.Image != row.Image);
            foreach (var other in new[] { otherPatient, otherField })
            {
                if (other is null)
                {
                    continue;
                }

                using var otherImage = Load(Path.Combine(root, other.Image));
                var (otherWarped, otherValid) = warp.Apply(otherImage, reflectBorder: true);
                using (otherWarped)
                using (otherValid)
                {
                    using var otherMask = Erode(otherValid);
                    var unrelated = ImageRegistration.Register(new RegistrationSide(before), new RegistrationSide(otherWarped, FeatureMask: otherMask), options, CancellationToken.None);
                    unrelatedTried++;
                    if (unrelated.Succeeded)
                    {
                        unrelatedAccepted++;
                        Console.WriteLine($"UNRELATED ACCEPTED {row.Image} vs {other.Image}: {unrelated.Method} inliers {unrelated.InlierCount}/{unrelated.MatchCount}");
                    }
                    else if (verbose)
                    {
                        Console.WriteLine($"  unrelated {other.Image}: refused {unrelated.Refusal} ({unrelated.InlierCount}/{unrelated.MatchCount})");
                    }
                }
            }
        }

        Console.WriteLine($"Frames: {sample.Count}; registered: {errors.Count}; refused: {failures}");
        if (errors.Count > 0)
        {
            Console.WriteLine($"Grid error vs known homography (px): median {Percentile(errors, 0.5):F2}, p90 {Percentile(errors, 0.9):F2}, max {errors.Max():F2}; under 2 px: {errors.Count(e => e < 2)}/{errors.Count}");
            Console.WriteLine($"Inlier residual (px): median {Percentile(residuals, 0.5):F2}");
        }

        if (hairChanges.Count > 0)
        {
            var abs = hairChanges.Select(Math.Abs).ToList();
            Console.WriteLine($"Hair-count change over the common area ({hairSource} hairs, truth 0): median {Percentile(hairChanges, 0.5):P1}, median |change| {Percentile(abs, 0.5):P1}, p90 |change| {Percentile(abs, 0.9):P1}, max |change| {abs.Max():P1}; within 3%: {abs.Count(a => a <= 0.03)}/{abs.Count}");
            Console.WriteLine($"Pooled over frames: {pooledBefore} -> {pooledAfter} hairs ({(pooledAfter - pooledBefore) / (double)Math.Max(1, pooledBefore):P1}); reported 'no significant change': Poisson {noSignificantChange}/{hairChanges.Count}, paired {pairedNoSignificantChange}/{hairChanges.Count}");
        }

        Console.WriteLine($"Unrelated pairs accepted: {unrelatedAccepted}/{unrelatedTried}");
        Console.WriteLine($"Registration time (s): median {Percentile(seconds, 0.5):F2}, max {(seconds.Count > 0 ? seconds.Max() : 0):F2}");
        return 0;
    }

    private static double Uniform(Random rng, double min, double max) => min + (max - min) * rng.NextDouble();

    private static double Percentile(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.OrderBy(v => v).ToArray();
        var index = (int)Math.Round(q * (sorted.Length - 1));
        return sorted[index];
    }

    private static Mat Erode(Mat mask)
    {
        // Keep keypoints off the black border the warp leaves: its corners are not scalp.
        var eroded = new Mat();
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(15, 15));
        Cv2.Erode(mask, eroded, kernel);
        return eroded;
    }

    private static ScalpImage Load(string path)
    {
        var mat = Cv2.ImRead(path, ImreadModes.Color);
        if (mat.Empty())
        {
            mat.Dispose();
            throw new InvalidOperationException($"Cannot read image '{path}'.");
        }

        return ScalpImage.FromBgr(mat, ImageFormat.Jpeg);
    }

    /// <summary>
    /// Change over the common area with the annotators' hairs: box centres stand for emergence
    /// points, filled boxes for the hair mask; the after side gets them through the known warp.
    /// This isolates registration and common-area bookkeeping from detection noise.
    /// </summary>
    private static ChangeResult CompareAnnotated(ScalpImage before, ScalpImage after, Mat afterValid, List<Rect> boxes, double[] hTrue, RegistrationResult registration)
    {
        using var beforeMask = new Mat(before.HeightPixels, before.WidthPixels, MatType.CV_8UC1, Scalar.All(255));
        using var beforeHair = new Mat(before.HeightPixels, before.WidthPixels, MatType.CV_8UC1, Scalar.All(0));
        var beforeHairs = new List<HairInstance>();
        var afterHairs = new List<HairInstance>();
        var beforeUnits = new List<FollicularUnit>();
        var afterUnits = new List<FollicularUnit>();
        for (var k = 0; k < boxes.Count; k++)
        {
            var b = boxes[k];
            Cv2.Rectangle(beforeHair, b, Scalar.All(255), -1);
            var centre = new PointPixels(b.X + b.Width / 2.0, b.Y + b.Height / 2.0);
            var width = Math.Min(b.Width, b.Height);
            var length = Math.Sqrt(b.Width * (double)b.Width + b.Height * (double)b.Height);
            beforeHairs.Add(new HairInstance(k, centre, centre, length, width, k, false));
            beforeUnits.Add(new FollicularUnit(k, centre, [k]));
            var mapped = HomographyMath.Apply(hTrue, centre.X, centre.Y);
            afterHairs.Add(new HairInstance(k, mapped, mapped, length, width, k, false));
            afterUnits.Add(new FollicularUnit(k, mapped, [k]));
        }

        using var hMat = KnownWarp.ToMat(hTrue);
        using var afterHair = new Mat();
        Cv2.WarpPerspective(beforeHair, afterHair, hMat, beforeHair.Size(), InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
        // Hairs mapped outside the after frame are not on the after photo.
        afterHairs = afterHairs.Where(x => x.Emergence.X >= 0 && x.Emergence.Y >= 0 && x.Emergence.X < after.WidthPixels && x.Emergence.Y < after.HeightPixels).ToList();
        var beforeSide = new ComparisonSide(before, beforeMask, beforeHair, beforeHairs, beforeUnits);
        var afterSide = new ComparisonSide(after, afterValid, afterHair, afterHairs, afterUnits);
        return ChangeAnalysis.Compare(beforeSide, afterSide, registration, new ChangeOptions(), CancellationToken.None);
    }

    /// <summary>
    /// End to end on a real frame: hair detection on the before photo and on its warped copy
    /// (its analysable mask also limited to the warped frame), registration with the detected
    /// masks, change over the common area: measured in the common geometry (after resampled into
    /// the before photo, the production path), or with <paramref name="common"/> null from the two
    /// per-photo detections. The truth is no change.
    /// </summary>
    private static ChangeResult CompareDetected(ScalpImage before, ScalpImage after, Mat afterValid, double? pixelsPerMillimetre, RegistrationOptions registrationOptions, CommonGeometryOptions? common, DifferentialChangeOptions differential, bool verbose)
    {
        var scale = pixelsPerMillimetre is { } ppm ? new Scale(ppm, ScaleSource.Request, 0.15, "manifest") : null;
        var trichoscopy = new TrichoscopyOptions();
        using var beforeAnalysis = TrichoscopyAnalysis.Run(before, scale, trichoscopy, CancellationToken.None);
        using var afterAnalysis = TrichoscopyAnalysis.Run(after, scale, trichoscopy, CancellationToken.None);
        using var afterMask = Erode(afterValid);
        Cv2.BitwiseAnd(afterAnalysis.AnalysableMask, afterMask, afterMask);
        var beforeSide = ComparisonSide.FromTrichoscopy(before, beforeAnalysis);
        var afterSide = ComparisonSide.FromTrichoscopy(after, afterAnalysis) with { AnalysableMask = afterMask };
        if (verbose)
        {
            Console.WriteLine($"  detected before {beforeAnalysis.Hairs.Count} ({beforeSide.Hairs.Count} counted), after {afterAnalysis.Hairs.Count} ({afterSide.Hairs.Count} counted)");
        }

        var registration = ImageRegistration.Register(beforeSide.ForRegistration(), afterSide.ForRegistration(), registrationOptions, CancellationToken.None);
        var sw = Stopwatch.StartNew();
        var change = common is null
            ? ChangeAnalysis.Compare(beforeSide, afterSide, registration, new ChangeOptions(), CancellationToken.None)
            : CommonGeometryComparison.CompareTrichoscopy(before, beforeAnalysis, null, after, afterMask, null, registration, trichoscopy, new ChangeOptions { CommonGeometry = common, Differential = differential }, CancellationToken.None);
        if (verbose)
        {
            Console.WriteLine($"  {DescribeDifferential(change.Differential)}");
            Console.WriteLine($"  change measured in {sw.Elapsed.TotalSeconds:F2} s ({(common is null ? "per-photo" : "common geometry")})");
        }

        return change;
    }

    /// <summary>
    /// End to end on generated pairs with a known change: +20% hairs in a thinning region (left
    /// half; added to existing units, or +20% whole units with --synthetic-change units), after photo warped by a known follow-up warp, hairs detected on both, compared over the
    /// common area. Reports the truth over the same area, the change measured with the generator's
    /// true hairs, and the change measured with detected hairs.
    /// </summary>
    private static int RunSynthetic(int pairs, double ppm, bool addUnits, int seed, RegistrationOptions options, CommonGeometryOptions? commonGeometry, DifferentialChangeOptions differential, string? mapDir, bool verbose, bool diagnoseAdded)
    {
        const int width = 1280, height = 1024;
        var area = SyntheticShape.Rectangle(0, 0, width / 2.0, height);
        var spec = new SyntheticTrichoscopySpec
        {
            WidthPixels = width,
            HeightPixels = height,
            PixelsPerMillimetre = ppm,
            FollicularUnitsPerSquareCentimetre = 100,
            Regions = [SyntheticRegionSpec.Thinning(area, densityFactor: 0.8)],
        };
        var scale = new Scale(ppm, ScaleSource.Request, 0, "generator");
        long truthBeforeSum = 0, truthAfterSum = 0, trueBeforeSum = 0, trueAfterSum = 0, detBeforeSum = 0, detAfterSum = 0;
        long detBearingBefore = 0, detBearingAfter = 0, edgeBeforeSum = 0, edgeAfterSum = 0;
        var detErrors = new List<double>();
        var trueErrors = new List<double>();
        var fates = new AddedHairFates();
        for (var i = 0; i < pairs; i++)
        {
            var rng = new Random(seed * 104729 + i);
            var warp = new KnownWarp(Uniform(rng, -10, 10), Uniform(rng, 0.95, 1.05), Uniform(rng, -30, 30), Uniform(rng, -30, 30),
                Uniform(rng, -0.04, 0.04), Uniform(rng, -0.04, 0.04), Uniform(rng, 0.8, 1.2), Uniform(rng, -20, 20));
            var pair = SyntheticTrichoscopyGenerator.GeneratePair(spec, seed * 1000 + i, addUnits ? new ChangeSpec { Area = area, FollicularUnitChangeFraction = 0.2 } : new ChangeSpec { Area = area, HairChangeFraction = 0.2 });
            using var before = ScalpImage.FromBgr(Cv2.ImDecode(pair.Before.EncodedImage, ImreadModes.Color));
            using var afterUnwarped = ScalpImage.FromBgr(Cv2.ImDecode(pair.After.EncodedImage, ImreadModes.Color));
            var (after, valid) = warp.Apply(afterUnwarped, reflectBorder: true);
            using (after)
            using (valid)
            using (var labels = new Mat(height, width, MatType.CV_8UC1))
            {
                labels.SetArray(pair.Before.Truth.RegionLabels);
                var h = warp.Homography(width, height);

                // Truth over the thinning region and the common area, in before geometry.
                using var common = new Mat();
                Cv2.InRange(labels, new Scalar((byte)RegionClass.Thinning), new Scalar((byte)RegionClass.Thinning), common);
                using var inv = KnownWarp.ToMat(HomographyMath.Invert(h)!);
                using var validBack = new Mat();
                Cv2.WarpPerspective(valid, validBack, inv, new Size(width, height), InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
                using var eroded = Erode(validBack);
                Cv2.BitwiseAnd(common, eroded, common);
                int CountTruth(SyntheticGroundTruth t) => t.Hairs.Where((x, k) => t.HairDetails[k].Counted && Inside(common, x.Emergence)).Count();
                var truthBefore = CountTruth(pair.Before.Truth);
                var truthAfter = CountTruth(pair.After.Truth);
                // The same truth under the product's edge rule (visible shaft >= 250 um; SyntheticEdgeRule).
                int CountEdgeRule(SyntheticGroundTruth t) => t.Hairs.Where((x, k) => t.HairDetails[k].Counted && SyntheticEdgeRule.Counts(t, k) && Inside(common, x.Emergence)).Count();
                edgeBeforeSum += CountEdgeRule(pair.Before.Truth);
                edgeAfterSum += CountEdgeRule(pair.After.Truth);
                if (diagnoseAdded)
                {
                    fates.Add(pair, common, scale);
                }

                using var beforeAnalysis = TrichoscopyAnalysis.Run(before, scale, new TrichoscopyOptions(), CancellationToken.None);
                using var afterAnalysis = TrichoscopyAnalysis.Run(after, scale, new TrichoscopyOptions(), CancellationToken.None);
                using var afterMask = Erode(valid);
                Cv2.BitwiseAnd(afterAnalysis.AnalysableMask, afterMask, afterMask);
                var beforeSide = ComparisonSide.FromTrichoscopy(before, beforeAnalysis, labels);
                var afterSide = ComparisonSide.FromTrichoscopy(after, afterAnalysis) with { AnalysableMask = afterMask };
                var registration = ImageRegistration.Register(beforeSide.ForRegistration(), afterSide.ForRegistration(), options, CancellationToken.None);
                if (!registration.Succeeded)
                {
                    Console.WriteLine($"pair {i}: REFUSED {registration.Refusal}: {registration.Message}");
                    continue;
                }

                var detected = commonGeometry is null
                    ? ChangeAnalysis.Compare(beforeSide, afterSide, registration, new ChangeOptions { RenderChangeMap = false }, CancellationToken.None)
                    : CommonGeometryComparison.CompareTrichoscopy(before, beforeAnalysis, labels, after, afterMask, null, registration, new TrichoscopyOptions(), new ChangeOptions { RenderChangeMap = mapDir is not null, CommonGeometry = commonGeometry, Differential = differential }, CancellationToken.None);
                if (mapDir is not null && detected.ChangeMapPng is { } png)
                {
                    Directory.CreateDirectory(mapDir);
                    File.WriteAllBytes(Path.Combine(mapDir, $"pair{i}_{(addUnits ? "units" : "hairs")}_change.png"), png);
                    File.WriteAllBytes(Path.Combine(mapDir, $"pair{i}_{(addUnits ? "units" : "hairs")}_after.png"), pair.After.EncodedImage);
                }

                // The same comparison with the generator's true hairs (registration still estimated).
                var trueBeforeSide = beforeSide with
                {
                    Hairs = pair.Before.Truth.Hairs.Where((_, k) => pair.Before.Truth.HairDetails[k].Counted).ToList(),
                };
                var trueAfterSide = afterSide with
                {
                    Hairs = pair.After.Truth.Hairs.Where((_, k) => pair.After.Truth.HairDetails[k].Counted)
                        .Select(x => x with { Emergence = HomographyMath.Apply(h, x.Emergence.X, x.Emergence.Y), Tip = HomographyMath.Apply(h, x.Tip.X, x.Tip.Y) }).ToList(),
                };
                var withTruth = ChangeAnalysis.Compare(trueBeforeSide, trueAfterSide, registration, new ChangeOptions { RenderChangeMap = false }, CancellationToken.None);

                var det = detected.Regions.FirstOrDefault(r => r.Region == RegionClass.Thinning);
                var tru = withTruth.Regions.FirstOrDefault(r => r.Region == RegionClass.Thinning);
                var bearing = detected.Regions.FirstOrDefault(r => r.Region == RegionClass.HairBearing);
                if (det is null || tru is null || truthBefore == 0)
                {
                    continue;
                }

                var truthRelative = (truthAfter - truthBefore) / (double)truthBefore;
                truthBeforeSum += truthBefore; truthAfterSum += truthAfter;
                trueBeforeSum += tru.Hairs.BeforeCount; trueAfterSum += tru.Hairs.AfterCount;
                detBeforeSum += det.Hairs.BeforeCount; detAfterSum += det.Hairs.AfterCount;
                detBearingBefore += bearing?.Hairs.BeforeCount ?? 0; detBearingAfter += bearing?.Hairs.AfterCount ?? 0;
                if (tru.Hairs.RelativeChangeFraction is { } tr)
                {
                    trueErrors.Add(tr - truthRelative);
                }

                if (det.Hairs.RelativeChangeFraction is { } dr)
                {
                    detErrors.Add(dr - truthRelative);
                }

                if (verbose)
                {
                    Console.WriteLine($"pair {i}: truth {truthBefore}->{truthAfter} ({truthRelative:P1}); true hairs {tru.Hairs.BeforeCount}->{tru.Hairs.AfterCount} ({tru.Hairs.RelativeChangeFraction:P1}); detected {det.Hairs.BeforeCount}->{det.Hairs.AfterCount} ({det.Hairs.RelativeChangeFraction:P1}, matched {det.Matching.MatchedCount} +{det.Matching.GainedCount} -{det.Matching.LostCount}); hair-bearing detected {bearing?.Hairs.BeforeCount}->{bearing?.Hairs.AfterCount}; grid error {KnownWarp.MedianGridErrorPixels(h, registration.HomographyAfterToBefore!, width, height):F2} px; {DescribeDifferential(detected.Differential)}");
                }
            }
        }

        static double Rel(long b, long a) => b > 0 ? (a - b) / (double)b : double.NaN;
        if (diagnoseAdded)
        {
            fates.Print();
        }

        Console.WriteLine($"Synthetic pairs: {pairs} at {ppm} px/mm, +20% {(addUnits ? "follicular units" : "hairs in existing units")} in the thinning region, after photo warped");
        Console.WriteLine($"Pooled thinning-region change: truth {Rel(truthBeforeSum, truthAfterSum):P1} ({truthBeforeSum}->{truthAfterSum}); edge-rule truth {Rel(edgeBeforeSum, edgeAfterSum):P1} ({edgeBeforeSum}->{edgeAfterSum}); true hairs {Rel(trueBeforeSum, trueAfterSum):P1}; detected {Rel(detBeforeSum, detAfterSum):P1} ({detBeforeSum}->{detAfterSum})");
        Console.WriteLine($"Pooled hair-bearing (unchanged) region, detected: {Rel(detBearingBefore, detBearingAfter):P1} ({detBearingBefore}->{detBearingAfter})");
        if (trueErrors.Count > 0)
        {
            Console.WriteLine($"Per-pair error vs truth (points): true hairs median |e| {Percentile(trueErrors.Select(Math.Abs).ToList(), 0.5) * 100:F1}, max {trueErrors.Max(Math.Abs) * 100:F1}; detected median |e| {Percentile(detErrors.Select(Math.Abs).ToList(), 0.5) * 100:F1}, p90 {Percentile(detErrors.Select(Math.Abs).ToList(), 0.9) * 100:F1}");
        }

        return 0;
    }

    private static string DescribeDifferential(DifferentialChangeSummary? d) => d is null
        ? "differential off"
        : $"differential: one-visit detections unchanged after {d.AfterOnlyUnchangedCount} before {d.BeforeOnlyUnchangedCount}; gained shafts {d.GainedShaftCount} ({d.GainedUnexplainedCount} unexplained), lost {d.LostShaftCount} ({d.LostUnexplainedCount}), noise {d.NoiseSigmaLightness:F2} L, threshold {d.ThresholdLightness:F1} L";

    private static bool Inside(Mat mask, PointPixels p)
    {
        int x = (int)Math.Floor(p.X), y = (int)Math.Floor(p.Y);
        return x >= 0 && y >= 0 && x < mask.Cols && y < mask.Rows && mask.At<byte>(y, x) != 0;
    }

    private sealed record ManifestRow(string Image, string Patient, double? PixelsPerMillimetre);

    private static List<ManifestRow> ReadManifest(string path)
    {
        var manifest = DataManifest.Read(path);
        return manifest.Rows
            .Select(c => new ManifestRow(manifest.ImageName(c), manifest.Cell(c, "patient") ?? manifest.ImageName(c), manifest.Number(c, "pixels_per_mm")))
            .ToList();
    }

    /// <summary>
    /// What became of each true hair of the after photo inside the compared area, existing and
    /// added apart: excluded by the edge rule (visible shaft under the counted minimum), detected
    /// (a detected shaft pairs with it, end points or overlap, one to one), merged (its shaft pixels
    /// are segmented but no instance of its own pairs with it) or missed (not segmented). The
    /// detector runs on the after photo in its generated (before) geometry, so this is the
    /// detector's own fate for the hair, without registration or resampling.
    /// </summary>
    private sealed class AddedHairFates
    {
        private readonly Dictionary<string, int[]> counts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<double>> widths = new(StringComparer.Ordinal);
        private static readonly string[] Fates = ["edge-rule excluded", "detected, counted", "detected, not counted", "merged", "missed"];

        public void Add(SyntheticPair pair, Mat area, Scale scale)
        {
            Add(pair.Before, [], area, scale, "before: ");
            Add(pair.After, pair.Change.AddedHairTrackIds.ToHashSet(), area, scale, "after: ");
        }

        private void Add(SyntheticFrame frame, HashSet<int> added, Mat area, Scale scale, string prefix)
        {
            var truth = frame.Truth;
            using var after = ScalpImage.FromBgr(Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color));
            using var analysis = TrichoscopyAnalysis.Run(after, scale, new TrichoscopyOptions(), CancellationToken.None);
            var index = Enumerable.Range(0, truth.Hairs.Count).Where(k => truth.HairDetails[k].Counted && Inside(area, truth.Hairs[k].Emergence)).ToList();
            var truthShafts = index.Select(k => new Shaft(truth.Hairs[k].Emergence, truth.Hairs[k].Tip)).ToList();
            var detShafts = analysis.Hairs.Select(x => new Shaft(x.Emergence, x.Tip)).ToList();
            var tolerance = ChangeAnalysis.MatchTolerancePixels(analysis.Hairs, new ChangeOptions());
            var pairs = ChangeAnalysis.MatchPairs(truthShafts, detShafts, tolerance);
            pairs.AddRange(CommonGeometryComparison.MatchOverlappingShafts(truthShafts, detShafts, pairs, tolerance));
            var detOf = pairs.ToDictionary(p => p.Before, p => p.After);
            for (var n = 0; n < index.Count; n++)
            {
                var k = index[n];
                var d = truth.HairDetails[k];
                int fate;
                if (!SyntheticEdgeRule.Counts(truth, k))
                {
                    fate = 0;
                }
                else if (detOf.TryGetValue(n, out var j))
                {
                    fate = analysis.Hairs[j].CountedInDensity ? 1 : 2;
                }
                else
                {
                    // Merged when most of its centreline lies on segmented shaft pixels.
                    var e = truth.Hairs[k].Emergence;
                    var t = truth.Hairs[k].Tip;
                    int on = 0, all = 0;
                    for (var s = 0.1; s < 0.95; s += 0.1)
                    {
                        var p = new PointPixels(e.X + (s * (t.X - e.X)), e.Y + (s * (t.Y - e.Y)));
                        all++;
                        on += Inside(analysis.HairMask, p) ? 1 : 0;
                    }

                    fate = on * 2 >= all ? 3 : 4;
                }

                var group = prefix + (added.Contains(d.TrackId) ? "added" : "existing");
                if (!counts.TryGetValue(group, out var c))
                {
                    counts[group] = c = new int[Fates.Length];
                }

                c[fate]++;
                var key = group + "/" + Fates[fate];
                if (!widths.TryGetValue(key, out var w))
                {
                    widths[key] = w = [];
                }

                w.Add(d.WidthMicrometres);
            }
        }

        public void Print()
        {
            Console.WriteLine("Fate of the after photo's true hairs in the compared area (detector on the after photo in its own generated geometry):");
            foreach (var (group, c) in counts.OrderBy(x => x.Key, StringComparer.Ordinal))
            {
                var total = c.Sum();
                var counted = total - c[0];
                Console.WriteLine($"  {group}: {total} hairs, {counted} counted by the edge rule; detected+counted {c[1]} ({(counted > 0 ? c[1] / (double)counted : 0):P0} of edge-rule hairs)");
                for (var f = 0; f < Fates.Length; f++)
                {
                    var w = widths.GetValueOrDefault(group + "/" + Fates[f]) ?? [];
                    Console.WriteLine($"    {Fates[f]}: {c[f]} (mean width {(w.Count > 0 ? w.Average() : 0):F0} um)");
                }
            }
        }
    }
}
