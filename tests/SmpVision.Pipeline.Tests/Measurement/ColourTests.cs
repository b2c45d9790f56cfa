using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Tests.Measurement;

public sealed class ColourTests
{
    [Fact]
    public void Srgb_white_and_red_convert_to_known_lab()
    {
        var white = CieLab.FromSrgb(255, 255, 255);
        Assert.Equal(100, white.L, 1);
        Assert.Equal(0, white.A, 1);
        Assert.Equal(0, white.B, 1);
        var red = CieLab.FromSrgb(255, 0, 0);
        Assert.Equal(53.24, red.L, 1);
        Assert.Equal(80.09, red.A, 0);
        Assert.Equal(67.20, red.B, 0);
    }

    [Theory]
    // Sharma, Wu, Dalal (2005) CIEDE2000 test pairs 1, 7, 17, 25.
    [InlineData(50, 2.6772, -79.7751, 50, 0, -82.7485, 2.0425)]
    [InlineData(50, 0, 0, 50, -1, 2, 2.3669)]
    [InlineData(50, 2.5, 0, 73, 25, -18, 27.1492)]
    [InlineData(60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644)]
    public void DeltaE2000_matches_published_pairs(double l1, double a1, double b1, double l2, double a2, double b2, double expected)
    {
        Assert.Equal(expected, CieLab.DeltaE2000(new LabColour(l1, a1, b1), new LabColour(l2, a2, b2)), 3);
        Assert.Equal(expected, CieLab.DeltaE2000(new LabColour(l2, a2, b2), new LabColour(l1, a1, b1)), 3);
    }

    [Theory]
    [InlineData(60, ItaBand.VeryLight)]
    [InlineData(50, ItaBand.Light)]
    [InlineData(30, ItaBand.Intermediate)]
    [InlineData(20, ItaBand.Tan)]
    [InlineData(0, ItaBand.Brown)]
    [InlineData(-45, ItaBand.Dark)]
    public void Ita_bands_follow_chardon(double ita, ItaBand band) => Assert.Equal(band, CieLab.BandOf(ita));

    [Fact]
    public void Ita_of_light_skin_is_positive_and_dark_skin_negative()
    {
        Assert.True(CieLab.IndividualTypologyAngleDegrees(new LabColour(70, 10, 15)) > 41);
        Assert.True(CieLab.IndividualTypologyAngleDegrees(new LabColour(30, 10, 15)) < -30);
    }

    [Theory]
    [InlineData(70, 15)]
    [InlineData(30, 15)]
    [InlineData(62, 0.2)]
    [InlineData(50, 12)]
    public void Ita_is_the_documented_formula_for_yellowish_skin(double l, double b)
    {
        var ita = CieLab.IndividualTypologyAngleDegrees(new LabColour(l, 8, b));
        Assert.Equal(Math.Atan((l - 50) / b) * 180 / Math.PI, ita, 9);
        Assert.InRange(ita, -90, 90);
        Assert.True(CieLab.IsReliableSkinColour(new LabColour(l, 8, b)));
    }

    [Theory]
    [InlineData(62, -3, 90)]   // blue cast on light skin: atan2 read ~104 deg before
    [InlineData(57.9, -9, 90)]
    [InlineData(40, -5, -90)]
    [InlineData(60, 0, 90)]
    public void Ita_stays_in_its_domain_and_blue_skin_is_unreliable(double l, double b, double expected)
    {
        var skin = new LabColour(l, 5, b);
        Assert.Equal(expected, CieLab.IndividualTypologyAngleDegrees(skin));
        Assert.False(CieLab.IsReliableSkinColour(skin));
        var colour = TrichoscopyColour.From(skin, new LabColour(25, 2, 3), 1000, 100, calibrated: false);
        Assert.False(colour.SkinColourReliable);
        Assert.Null(colour.IndividualTypologyAngleDegrees);
        Assert.Equal(ItaBand.Unspecified, colour.Band);
        Assert.NotNull(colour.HairSkinLightnessDifference);
    }

    [Fact]
    public void Frame_colour_reports_ita_and_band_for_reliable_skin()
    {
        var colour = TrichoscopyColour.From(new LabColour(70, 10, 15), null, 1000, 0, calibrated: false);
        Assert.True(colour.SkinColourReliable);
        Assert.Equal(CieLab.IndividualTypologyAngleDegrees(new LabColour(70, 10, 15)), colour.IndividualTypologyAngleDegrees);
        Assert.Equal(ItaBand.Light, colour.Band); // atan(20 / 15) = 53.1 deg
        Assert.Null(colour.HairSkinDeltaE2000);
        Assert.False(TrichoscopyColour.From(null, null, 0, 0, calibrated: false).SkinColourReliable);
    }
}
