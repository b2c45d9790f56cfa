using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// The trichoscopy analysis on frames from the synthetic generator (exact truth), several seeds,
/// at half the dev-set size (640 x 512 at 180 px/mm shows the same 3.5 x 2.8 mm field).
/// Tolerances are what the classical detector achieves today on these frames (see the helper
/// report); the brief's targets (5% counts) are not met yet and are not claimed here.
/// </summary>
public sealed class TrichoscopySyntheticTests
{
    private static readonly int[] Seeds = [301, 302, 303, 304, 305, 306];

    private static List<(SyntheticGroundTruth Truth, TrichoscopyResultSummary Result)> RunClean()
    {
        var list = new List<(SyntheticGroundTruth, TrichoscopyResultSummary)>();
        foreach (int seed in Seeds)
        {
            var spec = SyntheticPresets.Create("clean", seed, 640, 512, 180);
            var (image, truth) = SyntheticTrichoscopyGenerator.RenderScalpImage(spec, seed);
            using (image)
            {
                var scale = new Scale(truth.PixelsPerMillimetre, ScaleSource.Request, 0.01, "synthetic");
                using var result = TrichoscopyAnalysis.Run(image, scale, new TrichoscopyOptions(), CancellationToken.None);
                list.Add((truth, new TrichoscopyResultSummary(
                    result.Density.VisibleHairCount,
                    result.Density.HairCount,
                    result.Density.FollicularUnitCount,
                    result.Density.MeanShaftWidthMicrometres,
                    result.Colour.IndividualTypologyAngleDegrees)));
            }
        }

        return list;
    }

    private sealed record TrichoscopyResultSummary(int Visible, int Counted, int Units, double? MeanWidthMicrometres, double? ItaDegrees);

    private static readonly Lazy<List<(SyntheticGroundTruth Truth, TrichoscopyResultSummary Result)>> Clean = new(RunClean);

    private static double MedianRelativeError(IEnumerable<(double Predicted, double Truth)> pairs)
    {
        var errors = pairs.Select(p => Math.Abs(p.Predicted - p.Truth) / Math.Max(1, p.Truth)).OrderBy(e => e).ToList();
        return errors.Count % 2 == 1 ? errors[errors.Count / 2] : 0.5 * (errors[(errors.Count / 2) - 1] + errors[errors.Count / 2]);
    }

    [Fact]
    public void Visible_hair_count_is_within_25_percent_median()
    {
        double err = MedianRelativeError(Clean.Value.Select(r => ((double)r.Result.Visible, (double)r.Truth.HairCount)));
        Assert.True(err <= 0.25, $"median visible-count error {err:P1}");
    }

    [Fact]
    public void Edge_rule_count_is_within_35_percent_median()
    {
        double err = MedianRelativeError(Clean.Value.Select(r => ((double)r.Result.Counted, (double)r.Truth.AnalysableHairCount)));
        Assert.True(err <= 0.35, $"median counted error {err:P1}");
    }

    [Fact]
    public void Follicular_unit_count_is_within_50_percent_median()
    {
        double err = MedianRelativeError(Clean.Value.Select(r => ((double)r.Result.Units, (double)r.Truth.AnalysableFollicularUnitCount)));
        Assert.True(err <= 0.5, $"median FU-count error {err:P1}");
    }

    [Fact]
    public void Mean_shaft_width_is_within_35_percent()
    {
        foreach (var (truth, result) in Clean.Value)
        {
            double trueMean = truth.HairDetails.Where(h => h.Counted).Select(h => h.WidthMicrometres).DefaultIfEmpty(double.NaN).Average();
            Assert.NotNull(result.MeanWidthMicrometres);
            // Reads wide today (~+30%): the rendered dark shaft edges and blur fall inside the
            // half-maximum edge, and touching FU shafts left unsplit count as one wide shaft.
            Assert.InRange(result.MeanWidthMicrometres.Value, trueMean * 0.85, trueMean * 1.35);
        }
    }

    [Fact]
    public void Ita_is_within_8_degrees_of_the_rendered_skin()
    {
        foreach (var (truth, result) in Clean.Value)
        {
            Assert.NotNull(result.ItaDegrees);
            // Reads ~6 degrees low today: the measured median includes the rendered vignetting and
            // skin mottling, which the truth's single rendered skin colour does not.
            Assert.InRange(result.ItaDegrees.Value, truth.SkinItaDegrees - 8, truth.SkinItaDegrees + 8);
        }
    }
}
