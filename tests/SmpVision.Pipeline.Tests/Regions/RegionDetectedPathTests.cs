using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Regions;
using SmpVision.Pipeline.Synthetic;
using Xunit.Abstractions;

namespace SmpVision.Pipeline.Tests.Regions;

/// <summary>
/// The issue's acceptance through the real pipeline: generated 1280 x 1024 frames at 50 px/mm
/// (a 25.6 x 20.5 mm, 20x-class field, ~20 follicle spacings across) whose hairs, units and hair
/// mask come from the trichoscopy stage (<see cref="TrichoscopyAnalysis"/>), not from the
/// generator; the same frames fed the generator's true hairs must meet the targets too. Pooled
/// IoU over the four scene families of eval-regions (thinning + bald, strip + thinning, plug +
/// bald, FUE punches + thinning), with fixed geometry so the test is deterministic.
/// </summary>
public sealed class RegionDetectedPathTests(ITestOutputHelper output)
{
    private const int Width = 1280;
    private const int Height = 1024;
    private const double Ppm = 50;

    private static readonly RegionClass[] Scored = [RegionClass.Thinning, RegionClass.Hairless, RegionClass.Scar];

    [Fact]
    public void Detected_hairs_meet_the_issue_targets_on_generated_frames()
    {
        var detected = Scored.ToDictionary(c => c, _ => (Inter: 0L, Union: 0L));
        var truthFed = Scored.ToDictionary(c => c, _ => (Inter: 0L, Union: 0L));
        for (var scene = 0; scene < 4; scene++)
        {
            var spec = Scene(scene);
            using var rendering = SyntheticTrichoscopyGenerator.Render(spec, 40 + scene);
            var truth = rendering.Truth;
            using var image = rendering.ToScalpImage();
            using var truthLabels = new Mat(Height, Width, MatType.CV_8UC1);
            truthLabels.SetArray(truth.RegionLabels);
            using var analysable = new Mat();
            Cv2.Compare(truthLabels, (double)(byte)RegionClass.OffScalp, analysable, CmpTypes.NE);
            var scale = new Scale(Ppm, ScaleSource.Request, 0, "test");

            using (var found = TrichoscopyAnalysis.Run(image, scale, new TrichoscopyOptions(), CancellationToken.None))
            using (var map = RegionSegmentation.Run(image, analysable, found.HairMask, found.Hairs, found.FollicularUnits, scale, new RegionOptions(), CancellationToken.None))
            {
                Accumulate(detected, map.Labels, truthLabels);
            }

            using var trueHairMask = new Mat(Height, Width, MatType.CV_8UC1);
            trueHairMask.SetArray(truth.HairMask);
            using (var map = RegionSegmentation.Run(image, analysable, trueHairMask, truth.Hairs, truth.FollicularUnits, scale, new RegionOptions(), CancellationToken.None))
            {
                Accumulate(truthFed, map.Labels, truthLabels);
            }
        }

        // Issue 4 acceptance: IoU >= 0.8 for scar and hairless, >= 0.7 for thinning.
        var report = $"detected: {Describe(detected)}; true hairs: {Describe(truthFed)}";
        output.WriteLine(report);
        foreach (var totals in new[] { detected, truthFed })
        {
            Assert.True(IoU(totals[RegionClass.Thinning]) >= 0.7, report);
            Assert.True(IoU(totals[RegionClass.Hairless]) >= 0.8, report);
            Assert.True(IoU(totals[RegionClass.Scar]) >= 0.8, report);
        }
    }

    /// <summary>
    /// At 100 px/mm (a 12.8 x 10.2 mm field, ~9 spacings across) the hairless target holds where a
    /// bald patch sits in normal scalp (eval-regions plug+bald: 0.82-0.89 in 9 of 9 frames, README);
    /// one such frame (bald ellipse with 4 mm semi-axes, eval-regions' smallest, and a plug scar)
    /// through the detected path. Beside thinning scalp it does not hold (README, session 5).
    /// </summary>
    [Fact]
    public void Detected_hairs_meet_the_hairless_and_scar_targets_at_100_px_per_mm()
    {
        const double ppm = 100;
        PointPixels P(double fx, double fy) => new(fx * Width, fy * Height);
        var spec = new SyntheticTrichoscopySpec
        {
            WidthPixels = Width,
            HeightPixels = Height,
            PixelsPerMillimetre = ppm,
            BlurSigmaPixels = 0.8 * ppm / 361.0,
            EdgeDefocusSigmaPixels = 4 * ppm / 361.0,
            SkinItaDegrees = 35,
            HairColour = SyntheticHairColour.DarkBrown,
            Regions =
            [
                SyntheticRegionSpec.Hairless(SyntheticShape.Ellipse(P(0.7, 0.5), 4.0 * ppm, 4.2 * ppm, 60)),
                SyntheticRegionSpec.PlugScar(P(0.25, 0.45), 0.3 * Height, SyntheticScarTone.Hypopigmented),
            ],
        };
        using var rendering = SyntheticTrichoscopyGenerator.Render(spec, 46);
        using var image = rendering.ToScalpImage();
        using var truthLabels = new Mat(Height, Width, MatType.CV_8UC1);
        truthLabels.SetArray(rendering.Truth.RegionLabels);
        using var analysable = new Mat();
        Cv2.Compare(truthLabels, (double)(byte)RegionClass.OffScalp, analysable, CmpTypes.NE);
        var scale = new Scale(ppm, ScaleSource.Request, 0, "test");
        var detected = Scored.ToDictionary(c => c, _ => (Inter: 0L, Union: 0L));
        using (var found = TrichoscopyAnalysis.Run(image, scale, new TrichoscopyOptions(), CancellationToken.None))
        using (var map = RegionSegmentation.Run(image, analysable, found.HairMask, found.Hairs, found.FollicularUnits, scale, new RegionOptions(), CancellationToken.None))
        {
            Assert.DoesNotContain(map.Warnings, w => w.Code == "density-regions-unsupported");
            Accumulate(detected, map.Labels, truthLabels);
        }

        var report = $"100 px/mm detected: {Describe(detected)}";
        output.WriteLine(report);
        Assert.True(IoU(detected[RegionClass.Hairless]) >= 0.8, report);
        Assert.True(IoU(detected[RegionClass.Scar]) >= 0.8, report);
    }

    private static SyntheticTrichoscopySpec Scene(int index)
    {
        PointPixels P(double fx, double fy) => new(fx * Width, fy * Height);

        // Thinning beyond a slanted line, at 40% of the hair density.
        SyntheticRegionSpec ThinningSide(double x0, double x1) =>
            SyntheticRegionSpec.Thinning(SyntheticShape.FromPolygon(new PolygonPixels([P(x0, -0.01), P(1.01, -0.01), P(1.01, 1.01), P(x1, 1.01)])), 0.4);

        // Bald patches ~6 mm across the short axis, the size eval-regions draws at 50 px/mm.
        IReadOnlyList<SyntheticRegionSpec> regions = (index % 4) switch
        {
            0 =>
            [
                ThinningSide(0.55, 0.62),
                SyntheticRegionSpec.Hairless(SyntheticShape.Ellipse(P(0.24, 0.5), 6.2 * Ppm, 6.0 * Ppm, 20)),
            ],
            1 =>
            [
                ThinningSide(0.5, 0.45),
                SyntheticRegionSpec.LinearStripScar(new PointPixels(-10, 0.48 * Height), new PointPixels(Width + 10, 0.53 * Height), 0.16 * Height, SyntheticScarTone.Pink),
            ],
            2 =>
            [
                SyntheticRegionSpec.Hairless(SyntheticShape.Ellipse(P(0.7, 0.5), 5.0 * Ppm, 5.5 * Ppm, 60)),
                SyntheticRegionSpec.PlugScar(P(0.27, 0.45), 0.3 * Height, SyntheticScarTone.Hypopigmented),
            ],
            _ =>
            [
                ThinningSide(0.45, 0.55),
                .. Enumerable.Range(0, 5).Select(k => SyntheticRegionSpec.PunctateFueScar(P(0.2, (k + 0.5) / 5), 0.9 * Ppm, SyntheticScarTone.Hypopigmented)),
            ],
        };

        return new SyntheticTrichoscopySpec
        {
            WidthPixels = Width,
            HeightPixels = Height,
            PixelsPerMillimetre = Ppm,

            // The 70x optics (0.8 px blur, 4 px corner defocus at 361 px/mm) scaled to 50 px/mm.
            BlurSigmaPixels = 0.8 * Ppm / 361.0,
            EdgeDefocusSigmaPixels = 4 * Ppm / 361.0,
            SkinItaDegrees = 35,
            HairColour = SyntheticHairColour.DarkBrown,
            Regions = regions,
        };
    }

    private static void Accumulate(Dictionary<RegionClass, (long Inter, long Union)> totals, Mat predicted, Mat truth)
    {
        foreach (var c in Scored)
        {
            using var p = new Mat();
            using var t = new Mat();
            Cv2.Compare(predicted, (double)(byte)c, p, CmpTypes.EQ);
            Cv2.Compare(truth, (double)(byte)c, t, CmpTypes.EQ);
            using var i = new Mat();
            using var u = new Mat();
            Cv2.BitwiseAnd(p, t, i);
            Cv2.BitwiseOr(p, t, u);
            totals[c] = (totals[c].Inter + Cv2.CountNonZero(i), totals[c].Union + Cv2.CountNonZero(u));
        }
    }

    private static double IoU((long Inter, long Union) t) => t.Union == 0 ? 1 : t.Inter / (double)t.Union;

    private static string Describe(Dictionary<RegionClass, (long Inter, long Union)> totals) =>
        string.Join(", ", totals.Select(kv => $"{kv.Key} {IoU(kv.Value):F3}"));
}
