using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// The trichoscopy analysis against the generator's exact truth, several seeds per preset.
/// <para>Evaluation set (why): 1280 x 1024 at 180 px/mm is a 7.1 x 5.7 mm field (a 35x-class
/// dermoscope) holding ~40-100 hairs, so one hair is 1-2.5% and a 5% target is measurable; the
/// 3.5 x 2.8 mm dev-set field holds 10-17 hairs, where one hair is 7%. Frames are encoded and
/// decoded as the generator writes them (PNG for clean, JPEG 85-95 for dev). Counts are compared
/// under the product's own edge rule applied to the truth (<see cref="SyntheticEdgeRule"/>), width
/// with the mean truth width of the hairs that rule counts, ITA with the skin as rendered.</para>
/// <para>Reproduce: <c>eval-trichoscopy --synthetic clean|dev|mixed --seed 301 --count 6 --width 1280
/// --height 1024 --ppm 180 --verbose</c>. Measured (2026-11-24): clean count 6.6% median abs (signed
/// -6.3%), FU 4.5%, width 7.0% (max 9.5%), ITA max 2.9 deg; dev count 6.3% (signed -6.8%), FU 5.3%,
/// width 6.0% (max 15.0%), ITA max 2.7 deg; mixed count 13.7%, FU 20.1%, width 14.8%, ITA up to
/// 48 deg off (light hair on very dark skin).</para>
/// <para>The targets asserted where met: FU count within 5% median (clean), mean width within
/// 15% (clean every frame; dev median, every frame within 20%: the frame mean is over the hairs
/// found, and the missed thin hairs leave it wide while matched hairs read within 1-2%) and ITA
/// within 5 degrees per frame (clean, dev). NOT met and pinned at what is achieved: hair count (5%
/// target; 6-7% today, low: thin light vellus/intermediate shafts that never seed, and shafts that
/// leave their opening beside or under another shaft and merge with it), FU count on dev, and
/// everything on mixed (light hair on very dark skin is not segmented at all).</para>
/// </summary>
public sealed class TrichoscopySyntheticTests
{
    private const int FirstSeed = 301;
    private const int SeedCount = 6;

    private sealed record Outcome(
        int TruthHairs, int Hairs, int TruthUnits, int Units, double? TruthWidthMicrometres, double? WidthMicrometres, double TruthItaDegrees, double? ItaDegrees);

    private static List<Outcome> RunPreset(string preset)
    {
        var list = new List<Outcome>();
        var options = new TrichoscopyOptions();
        for (int seed = FirstSeed; seed < FirstSeed + SeedCount; seed++)
        {
            var spec = SyntheticPresets.Create(preset, seed, 1280, 1024, 180);
            var frame = SyntheticTrichoscopyGenerator.Generate(spec, seed);
            var truth = frame.Truth;
            using var mat = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
            using var image = ScalpImage.FromBgr(mat.Clone(), frame.FileExtension == ".jpg" ? ImageFormat.Jpeg : ImageFormat.Png);
            var scale = new Scale(truth.PixelsPerMillimetre, ScaleSource.Request, 0.01, "synthetic");
            using var result = TrichoscopyAnalysis.Run(image, scale, options, CancellationToken.None);
            list.Add(new Outcome(
                SyntheticEdgeRule.HairCount(truth, options.HairInstances),
                result.Density.HairCount,
                SyntheticEdgeRule.FollicularUnitCount(truth, options.HairInstances),
                result.Density.FollicularUnitCount,
                SyntheticEdgeRule.MeanWidthMicrometres(truth, options.HairInstances),
                result.Density.MeanShaftWidthMicrometres,
                truth.SkinItaDegrees,
                result.Colour.IndividualTypologyAngleDegrees));
        }

        return list;
    }

    private static readonly Lazy<List<Outcome>> Clean = new(() => RunPreset("clean"));
    private static readonly Lazy<List<Outcome>> Dev = new(() => RunPreset("dev"));
    private static readonly Lazy<List<Outcome>> Mixed = new(() => RunPreset("mixed"));

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(e => e).ToList();
        return v.Count % 2 == 1 ? v[v.Count / 2] : 0.5 * (v[(v.Count / 2) - 1] + v[v.Count / 2]);
    }

    private static double MedianRelativeError(IEnumerable<(double Predicted, double Truth)> pairs) =>
        Median(pairs.Select(p => Math.Abs(p.Predicted - p.Truth) / Math.Max(1, p.Truth)));

    private static double HairCountError(List<Outcome> set) => MedianRelativeError(set.Select(o => ((double)o.Hairs, (double)o.TruthHairs)));

    private static double UnitCountError(List<Outcome> set) => MedianRelativeError(set.Select(o => ((double)o.Units, (double)o.TruthUnits)));

    [Fact]
    public void Evaluation_frames_hold_enough_hairs_for_a_5_percent_count()
    {
        Assert.All(Clean.Value.Concat(Dev.Value), o => Assert.True(o.TruthHairs >= 30, $"{o.TruthHairs} hairs"));
    }

    [Fact]
    public void Clean_follicular_unit_count_is_within_5_percent_median()
    {
        double err = UnitCountError(Clean.Value);
        Assert.True(err <= 0.05, $"median FU-count error {err:P1}");
    }

    [Fact]
    public void Clean_mean_shaft_width_is_within_15_percent_on_every_frame()
    {
        foreach (var o in Clean.Value)
        {
            Assert.NotNull(o.TruthWidthMicrometres);
            Assert.NotNull(o.WidthMicrometres);
            Assert.InRange(o.WidthMicrometres.Value, o.TruthWidthMicrometres.Value * 0.85, o.TruthWidthMicrometres.Value * 1.15);
        }
    }

    [Fact]
    public void Dev_mean_shaft_width_is_within_15_percent_median_and_20_percent_on_every_frame()
    {
        var set = Dev.Value;
        Assert.All(set, o => Assert.InRange(o.WidthMicrometres!.Value, o.TruthWidthMicrometres!.Value * 0.8, o.TruthWidthMicrometres.Value * 1.2));
        double err = MedianRelativeError(set.Select(o => (o.WidthMicrometres!.Value, o.TruthWidthMicrometres!.Value)));
        Assert.True(err <= 0.15, $"dev median width error {err:P1}");
    }

    [Fact]
    public void Clean_and_dev_ita_is_within_5_degrees_on_every_frame()
    {
        foreach (var o in Clean.Value.Concat(Dev.Value))
        {
            Assert.NotNull(o.ItaDegrees);
            Assert.InRange(o.ItaDegrees.Value, o.TruthItaDegrees - 5, o.TruthItaDegrees + 5);
        }
    }

    [Fact]
    public void Hair_count_is_pinned_at_what_is_achieved_target_5_percent_not_met()
    {
        // Target 5% median; 6.6% (clean) and 6.3% (dev) today, both low. See the class comment for why.
        double clean = HairCountError(Clean.Value);
        double dev = HairCountError(Dev.Value);
        Assert.True(clean <= 0.10, $"clean median count error {clean:P1}");
        Assert.True(dev <= 0.10, $"dev median count error {dev:P1}");
        double signed = Clean.Value.Concat(Dev.Value).Average(o => (o.Hairs - o.TruthHairs) / (double)Math.Max(1, o.TruthHairs));
        Assert.InRange(signed, -0.10, 0.10);
    }

    [Fact]
    public void Dev_follicular_unit_count_is_pinned_at_what_is_achieved_target_5_percent_not_met()
    {
        double err = UnitCountError(Dev.Value);
        Assert.True(err <= 0.10, $"dev median FU-count error {err:P1}");
    }

    [Fact]
    public void Mixed_preset_is_pinned_at_what_is_achieved()
    {
        // Every skin tone and hair colour: very dark skin (ITA below -30) and light hair on light
        // skin still fail frame by frame (one frame finds 12 of 52 hairs); medians hold.
        var set = Mixed.Value;
        Assert.True(HairCountError(set) <= 0.16, $"mixed median count error {HairCountError(set):P1}");
        Assert.True(UnitCountError(set) <= 0.25, $"mixed median FU error {UnitCountError(set):P1}");
        double width = MedianRelativeError(set.Where(o => o.WidthMicrometres is not null && o.TruthWidthMicrometres is not null)
            .Select(o => (o.WidthMicrometres!.Value, o.TruthWidthMicrometres!.Value)));
        Assert.True(width <= 0.18, $"mixed median width error {width:P1}");
        double ita = Median(set.Where(o => o.ItaDegrees is not null).Select(o => Math.Abs(o.ItaDegrees!.Value - o.TruthItaDegrees)));
        Assert.True(ita <= 12, $"mixed median ITA error {ita:F1} deg");
    }
}
