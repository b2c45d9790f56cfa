using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Analysis;

/// <summary>
/// One analysed frame reports one value per fact: one skin colour (measurements.colour and the
/// plan's pigment), one count rule (overall and per region), one reference density (regions and
/// plan), and each warning code once.
/// </summary>
public sealed class OneTruthTests
{
    private static readonly ScalpAnalyzer Analyzer = new(new AnalyzerOptions());

    private static ScalpAnalysisResult Analyze(int seed, double ppm = 180)
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(new SyntheticTrichoscopySpec { WidthPixels = 640, HeightPixels = 512, PixelsPerMillimetre = ppm }, seed);
        return Analyzer.Analyze(frame.EncodedImage, new AnalysisRequest { Modality = Modality.Trichoscopy, Scale = new ScaleRequest(ppm, null, null, null) }, CancellationToken.None);
    }

    [Fact]
    public void The_plan_pigment_uses_the_measured_skin_and_hair_colour()
    {
        var result = Analyze(3);
        var colour = Assert.IsType<SmpVision.Pipeline.Measurement.Colour.TrichoscopyColour>(result.Colour);
        var pigment = result.Plan!.Pigment;
        Assert.NotNull(colour.Skin);
        Assert.Equal(colour.Skin, pigment.SkinColour);
        Assert.Equal(colour.Hair, pigment.HairColour);
        Assert.Equal(colour.IndividualTypologyAngleDegrees, pigment.SkinItaDegrees);
        Assert.Equal(colour.Band, pigment.SkinItaBand);
        Assert.Equal(colour.HairSkinLightnessDifference, pigment.HairSkinLightnessDifference);
    }

    [Fact]
    public void A_region_covering_the_analysed_area_counts_what_the_overall_figures_count()
    {
        var result = Analyze(5);
        var d = result.Density!;
        Assert.True(d.VisibleHairCount > d.HairCount, "the frame should have hairs the edge rule leaves out");
        var region = Assert.Single(result.Regions);
        Assert.Equal(d.HairCount, region.HairCount);
        Assert.Equal(d.FollicularUnitCount, region.FollicularUnitCount);
        Assert.Equal(d.FollicularUnitsPerSquareCentimetre!.Value, region.FollicularUnitsPerSquareCentimetre!.Value, d.FollicularUnitsPerSquareCentimetre.Value * 0.02);
    }

    [Fact]
    public void Region_relative_density_is_against_the_plan_reference()
    {
        var result = Analyze(5);
        var reference = result.Plan!.Reference.FollicularUnitsPerSquareCentimetre;
        Assert.All(result.Regions, r => Assert.Equal(r.FollicularUnitsPerSquareCentimetre!.Value / reference, r.DensityRelativeToReference!.Value, 9));
    }

    [Fact]
    public void Every_warning_code_appears_once_and_the_colour_warning_is_one_code()
    {
        var result = Analyze(7);
        Assert.Equal(result.Warnings.Count, result.Warnings.Select(w => w.Code).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(result.Warnings, w => w.Code == "colour-uncalibrated");
        Assert.DoesNotContain(result.Warnings, w => w.Code == "uncalibrated-colour");
        Assert.DoesNotContain(result.Plan!.Warnings, w => w.Code == "colour-uncalibrated");
    }
}
