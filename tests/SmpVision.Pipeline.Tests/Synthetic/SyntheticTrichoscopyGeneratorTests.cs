using OpenCvSharp;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Synthetic;

public sealed class SyntheticTrichoscopyGeneratorTests
{
    /// <summary>Half-size frame showing the same field as the dev set (640x512 at 180 px/mm).</summary>
    internal static SyntheticTrichoscopySpec Small => new() { WidthPixels = 640, HeightPixels = 512, PixelsPerMillimetre = 180 };

    /// <summary>Small frame without the costly texture and optics, for tests that only read the truth.</summary>
    internal static SyntheticTrichoscopySpec Fast => Small with { SkinTexture = 0, Glare = 0, BlurSigmaPixels = 0, EdgeDefocusSigmaPixels = 0, NoiseSigma = 0 };

    [Fact]
    public void Same_spec_and_seed_give_identical_bytes_and_truth()
    {
        var spec = Small with { Overlays = SyntheticOverlays.All, DyeMarks = 2 };
        var a = SyntheticTrichoscopyGenerator.Generate(spec, 7);
        var b = SyntheticTrichoscopyGenerator.Generate(spec, 7);
        Assert.Equal(a.EncodedImage, b.EncodedImage);
        Assert.Equal(a.Truth.Hairs, b.Truth.Hairs);
        Assert.Equal(a.Truth.RegionLabels, b.Truth.RegionLabels);

        var c = SyntheticTrichoscopyGenerator.Generate(spec, 8);
        Assert.NotEqual(a.EncodedImage, c.EncodedImage);
    }

    [Fact]
    public void Default_spec_is_valid_and_invalid_values_are_reported()
    {
        Assert.Empty(new SyntheticTrichoscopySpec().Validate());
        var bad = Small with { PixelsPerMillimetre = -1, JpegQuality = 0, HairsPerUnitWeights = [0, 0], TerminalFraction = 0.9, VellusFraction = 0.5 };
        var errors = bad.Validate();
        Assert.True(errors.Count >= 4, string.Join("\n", errors));
        Assert.Throws<ArgumentException>(() => SyntheticTrichoscopyGenerator.Generate(bad, 1));
    }

    [Fact]
    public void Truth_is_self_consistent()
    {
        var spec = Small with { Overlays = SyntheticOverlays.InfoBar | SyntheticOverlays.GreyBand };
        using var r = SyntheticTrichoscopyGenerator.Render(spec, 3);
        var t = r.Truth;
        Assert.Equal(640 * 512, t.RegionLabels.Length);
        Assert.Equal(t.Hairs.Count, t.HairDetails.Count);
        Assert.True(t.AnalysableHairCount > 0);

        // Counting rule: counted hairs are exactly those emerging on analysable pixels.
        Assert.Equal(t.AnalysableHairCount, t.HairDetails.Count(d => d.Counted));
        for (var i = 0; i < t.Hairs.Count; i++)
        {
            var h = t.Hairs[i];
            Assert.Equal(i, h.Id);
            Assert.Equal(t.HairDetails[i].Counted, t.LabelAt(h.Emergence.X, h.Emergence.Y) != RegionClass.OffScalp);
            Assert.Equal(h.WidthPixels, t.HairDetails[i].WidthMicrometres * 180 / 1000, 6);
            var dx = h.Tip.X - h.Emergence.X;
            var dy = h.Tip.Y - h.Emergence.Y;
            Assert.Equal(h.LengthPixels, Math.Sqrt((dx * dx) + (dy * dy)), 6);
            Assert.Contains(i, t.FollicularUnits[h.FollicularUnitId].HairIds);
            Assert.InRange(t.HairDetails[i].VisibleLengthPixels, 0, h.LengthPixels + 1e-6);
            if (!h.CutByFrameEdge)
            {
                Assert.Equal(h.LengthPixels, t.HairDetails[i].VisibleLengthPixels, 6);
            }
        }

        // Hair-mask pixels lie on some hair's shaft; every fully inside counted hair has mask pixels.
        for (var y = 0; y < t.HeightPixels; y += 3)
        {
            for (var x = 0; x < t.WidthPixels; x += 3)
            {
                if (t.HairMask[(y * t.WidthPixels) + x] == 0)
                {
                    continue;
                }

                Assert.Contains(t.Hairs, h => DistanceToShaft(h, x + 0.5, y + 0.5) <= (h.WidthPixels / 2) + 1);
            }
        }

        foreach (var h in t.Hairs.Where(h => !h.CutByFrameEdge))
        {
            var midX = (int)((h.Emergence.X + h.Tip.X) / 2);
            var midY = (int)((h.Emergence.Y + h.Tip.Y) / 2);
            Assert.Equal(255, t.HairMask[(midY * t.WidthPixels) + midX]);
        }

        // Densities follow from counts and area.
        var areaCm2 = t.AnalysableAreaPixels / (180.0 * 180.0) / 100.0;
        Assert.Equal(t.AnalysableHairCount / areaCm2, t.HairsPerSquareCentimetre, 6);
        Assert.Equal(t.AnalysableAreaPixels, t.Regions.Sum(x => x.AreaPixels));
        Assert.Equal(t.AnalysableHairCount, t.Regions.Sum(x => x.HairCount));
    }

    [Fact]
    public void Counts_and_density_match_the_spec_on_average()
    {
        // Over several frames the counted FU density approaches the requested density.
        var spec = Fast with { FollicularUnitsPerSquareCentimetre = 100 };
        double units = 0, area = 0, hairs = 0;
        for (var seed = 0; seed < 6; seed++)
        {
            using var r = SyntheticTrichoscopyGenerator.Render(spec, seed);
            units += r.Truth.AnalysableFollicularUnitCount;
            hairs += r.Truth.AnalysableHairCount;
            area += r.Truth.AnalysableAreaSquareCentimetres;
        }

        Assert.InRange(units / area, 70, 130);
        // Guo 2017 weights give ~1.92 hairs per unit.
        Assert.InRange(hairs / units, 1.5, 2.4);
    }

    [Fact]
    public void Ita_is_computed_from_skin_lab_and_skin_pixels_match_it()
    {
        var spec = Small with { SkinItaDegrees = 30, FollicularUnitsPerSquareCentimetre = 0, SkinTexture = 0, Glare = 0, Vignetting = 0, NoiseSigma = 0, EdgeDefocusSigmaPixels = 0 };
        using var r = SyntheticTrichoscopyGenerator.Render(spec, 1);
        var t = r.Truth;
        Assert.Equal(Math.Atan((t.SkinLab.L - 50) / t.SkinLab.B) * 180 / Math.PI, t.SkinItaDegrees, 9);
        Assert.InRange(t.SkinItaDegrees, 29, 31);
        Assert.Equal(ItaBand.Intermediate, t.SkinItaBand);
        var px = r.Bgr.At<Vec3b>(256, 320);
        var lab = SyntheticColour.FromSrgb(px.Item0 / 255.0, px.Item1 / 255.0, px.Item2 / 255.0);
        Assert.InRange(lab.L - t.SkinLab.L, -1, 1);
        Assert.InRange(lab.B - t.SkinLab.B, -1.5, 1.5);
    }

    [Fact]
    public void White_balance_cast_shows_in_rendered_colour_but_not_in_scene_colour()
    {
        var spec = Small with { SkinItaDegrees = 40, FollicularUnitsPerSquareCentimetre = 0, WhiteBalance = new SyntheticChannelGains(1.2, 1.05, 1.0) };
        using var r = SyntheticTrichoscopyGenerator.Render(spec, 2);
        Assert.Equal(40, r.Truth.SceneSkinItaDegrees, 6);
        // A cooler camera lowers b*, which raises the apparent ITA.
        Assert.True(r.Truth.SkinLab.B < r.Truth.SceneSkinLab.B - 3);
        Assert.True(r.Truth.SkinItaDegrees > 45);
    }

    [Theory]
    [InlineData(-50.0)]
    [InlineData(0.0)]
    [InlineData(28.0)]
    [InlineData(70.0)]
    public void Every_skin_tone_renders_in_gamut_with_its_ita(double ita)
    {
        var lab = SyntheticColour.SkinLabFromIta(ita);
        var (b, g, r) = SyntheticColour.ToSrgb(lab);
        Assert.All(new[] { b, g, r }, c => Assert.InRange(c, 0.01, 0.99));
        // 8-bit quantisation moves ITA by under a degree.
        Assert.InRange(SyntheticColour.ItaDegrees(SyntheticColour.Quantised(lab)) - ita, -1, 1);
    }

    [Theory]
    [InlineData(SyntheticHairColour.Black)]
    [InlineData(SyntheticHairColour.DarkBrown)]
    [InlineData(SyntheticHairColour.Brown)]
    [InlineData(SyntheticHairColour.Blond)]
    [InlineData(SyntheticHairColour.Grey)]
    [InlineData(SyntheticHairColour.White)]
    public void Every_hair_colour_renders_on_its_shafts(SyntheticHairColour colour)
    {
        // Dark skin for light hair and light skin for dark hair, so the shafts differ from the skin.
        var lightHair = colour is SyntheticHairColour.Blond or SyntheticHairColour.Grey or SyntheticHairColour.White;
        var spec = Small with
        {
            HairColour = colour,
            SkinItaDegrees = lightHair ? -40 : 55,
            TerminalFraction = 1,
            VellusFraction = 0,
            Glare = 0,
            SkinTexture = 0.3,
        };
        using var r = SyntheticTrichoscopyGenerator.Render(spec, 11);
        var t = r.Truth;
        Assert.Equal(SyntheticColour.Quantised(SyntheticColour.HairLab(colour)), t.HairLab);
        var hairL = new List<double>();
        var bgr = r.Bgr;
        foreach (var h in t.Hairs.Where(h => !h.CutByFrameEdge))
        {
            // Sample the shaft centre at 60% of its length, away from the highlight.
            var x = (int)(h.Emergence.X + (0.6 * (h.Tip.X - h.Emergence.X)));
            var y = (int)(h.Emergence.Y + (0.6 * (h.Tip.Y - h.Emergence.Y)));
            var px = bgr.At<Vec3b>(y, x);
            hairL.Add(SyntheticColour.FromSrgb(px.Item0 / 255.0, px.Item1 / 255.0, px.Item2 / 255.0).L);
        }

        Assert.NotEmpty(hairL);
        hairL.Sort();
        var median = hairL[hairL.Count / 2];
        Assert.InRange(median, t.HairLab.L - 12, t.HairLab.L + 22);
        Assert.True(Math.Abs(median - t.SkinLab.L) > 15, $"hair L {median:F1} vs skin L {t.SkinLab.L:F1}");
    }

    internal static double DistanceToShaft(Pipeline.Measurement.HairInstance h, double x, double y)
    {
        var dx = h.Tip.X - h.Emergence.X;
        var dy = h.Tip.Y - h.Emergence.Y;
        var len2 = (dx * dx) + (dy * dy);
        var t = Math.Clamp((((x - h.Emergence.X) * dx) + ((y - h.Emergence.Y) * dy)) / len2, 0, 1.2);
        var px = h.Emergence.X + (t * dx) - x;
        var py = h.Emergence.Y + (t * dy) - y;
        return Math.Sqrt((px * px) + (py * py));
    }
}
