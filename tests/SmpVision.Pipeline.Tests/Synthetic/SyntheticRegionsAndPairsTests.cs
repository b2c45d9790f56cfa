using OpenCvSharp;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Synthetic;

public sealed class SyntheticRegionsAndPairsTests
{
    private static SyntheticTrichoscopySpec Small => SyntheticTrichoscopyGeneratorTests.Small;

    private static SyntheticTrichoscopySpec Fast => SyntheticTrichoscopyGeneratorTests.Fast;

    [Theory]
    [InlineData(SyntheticOverlays.InfoBar)]
    [InlineData(SyntheticOverlays.GreyBand)]
    [InlineData(SyntheticOverlays.ScaleBar)]
    [InlineData(SyntheticOverlays.RedCircle)]
    [InlineData(SyntheticOverlays.RoundFieldRim)]
    public void Each_overlay_is_labelled_off_scalp_and_drawn(SyntheticOverlays overlay)
    {
        using var r = SyntheticTrichoscyGenerate(Small with { Overlays = overlay }, 5);
        var t = r.Truth;
        var o = Assert.Single(t.Overlays);
        Assert.Equal(overlay, o.Kind);
        var offScalp = t.RegionLabels.Count(v => v == (byte)RegionClass.OffScalp);
        Assert.True(offScalp > 0);
        Assert.Equal(t.RegionLabels.Length - offScalp, t.AnalysableAreaPixels);

        // Every OffScalp pixel lies inside the overlay's box.
        for (var i = 0; i < t.RegionLabels.Length; i += 7)
        {
            if (t.RegionLabels[i] == (byte)RegionClass.OffScalp)
            {
                var x = i % t.WidthPixels;
                var y = i / t.WidthPixels;
                Assert.InRange(x, o.XPixels, o.XPixels + o.WidthPixels - 1);
                Assert.InRange(y, o.YPixels, o.YPixels + o.HeightPixels - 1);
            }
        }

        // Drawn where labelled: the overlay pixels differ in colour from the skin.
        var rendered = Colours(r.Bgr, t, RegionClass.OffScalp);
        var skin = Colours(r.Bgr, t, RegionClass.HairBearing);
        var distance = Math.Abs(rendered.B - skin.B) + Math.Abs(rendered.G - skin.G) + Math.Abs(rendered.R - skin.R);
        Assert.True(distance > 20, $"overlay colour {rendered} vs skin {skin}");
    }

    [Fact]
    public void Scale_bar_arm_is_exactly_one_millimetre()
    {
        using var r = SyntheticTrichoscyGenerate(Small with { Overlays = SyntheticOverlays.ScaleBar }, 2);
        var bar = r.Truth.ScaleBar;
        Assert.NotNull(bar);
        Assert.Equal(1.0, bar.LengthMillimetres);
        Assert.Equal(180, bar.LengthPixels);
        Assert.Equal(bar.LengthPixels, bar.End.X - bar.Start.X);
        Assert.Equal("1.0 mm", bar.Label);
        // The bar is drawn dark on the skin along its whole arm.
        var y = (int)bar.Start.Y;
        for (var x = (int)bar.Start.X; x <= (int)bar.End.X - 20; x += 10)
        {
            var px = r.Bgr.At<Vec3b>(y, x);
            Assert.True(px.Item1 < 90, $"bar pixel at {x},{y} is {px.Item0},{px.Item1},{px.Item2}");
        }
    }

    [Fact]
    public void Regions_are_labelled_and_follow_their_rules()
    {
        var spec = Small with
        {
            FollicularUnitsPerSquareCentimetre = 120,
            Regions =
            [
                SyntheticRegionSpec.Thinning(SyntheticShape.Rectangle(0, 0, 320, 512), 0.3),
                SyntheticRegionSpec.Hairless(SyntheticShape.Rectangle(320, 0, 160, 512)),
                SyntheticRegionSpec.PlugScar(new PointPixels(560, 256), 2.5 * 180 / 2),
            ],
        };
        using var r = SyntheticTrichoscyGenerate(spec, 9);
        var t = r.Truth;
        var byClass = t.Regions.ToDictionary(x => x.Class);
        Assert.Contains(RegionClass.Thinning, byClass.Keys);
        Assert.Contains(RegionClass.Hairless, byClass.Keys);
        Assert.Contains(RegionClass.Scar, byClass.Keys);
        Assert.Equal(RegionClass.Thinning, t.LabelAt(100, 100));
        Assert.Equal(RegionClass.Hairless, t.LabelAt(400, 100));
        Assert.Equal(RegionClass.Scar, t.LabelAt(560, 256));
        Assert.Equal(320 * 512, byClass[RegionClass.Thinning].AreaPixels);

        // No hair emerges on a scar or in a hairless region (default density 0 there).
        Assert.Equal(0, byClass[RegionClass.Hairless].HairCount);
        Assert.Equal(0, byClass[RegionClass.Scar].HairCount);
        Assert.DoesNotContain(t.HairDetails, d => d.Region is RegionClass.Scar or RegionClass.Hairless);

        // The scar is lighter and pinker than the skin (default tone) and smoother.
        var scar = Colours(r.Bgr, t, RegionClass.Scar);
        var skinLab = t.SkinLab;
        var scarLab = SyntheticColour.FromSrgb(scar.B / 255, scar.G / 255, scar.R / 255);
        Assert.True(scarLab.L > skinLab.L, $"scar L {scarLab.L:F1} skin L {skinLab.L:F1}");
        Assert.True(scarLab.A > skinLab.A, $"scar a {scarLab.A:F1} skin a {skinLab.A:F1}");
    }

    [Fact]
    public void Thinning_region_has_lower_density_and_more_thin_hairs_on_average()
    {
        var spec = Fast with
        {
            FollicularUnitsPerSquareCentimetre = 120,
            Regions = [SyntheticRegionSpec.Thinning(SyntheticShape.Rectangle(0, 0, 320, 512), 0.35)],
        };
        double thinUnits = 0, thinArea = 0, normalUnits = 0, normalArea = 0, thinFine = 0, thinHairs = 0;
        for (var seed = 0; seed < 4; seed++)
        {
            using var r = SyntheticTrichoscyGenerate(spec, seed);
            var thin = r.Truth.Regions.Single(x => x.Class == RegionClass.Thinning);
            var normal = r.Truth.Regions.Single(x => x.Class == RegionClass.HairBearing);
            thinUnits += thin.FollicularUnitCount;
            thinArea += thin.AreaSquareMillimetres;
            normalUnits += normal.FollicularUnitCount;
            normalArea += normal.AreaSquareMillimetres;
            thinFine += thin.ThinHairFraction * thin.HairCount;
            thinHairs += thin.HairCount;
        }

        Assert.True(thinUnits / thinArea < 0.7 * normalUnits / normalArea);
        Assert.True(thinFine / Math.Max(1, thinHairs) > 0.1);
    }

    [Fact]
    public void Pair_change_is_exact_and_untouched_hairs_are_identical()
    {
        var spec = Small with { FollicularUnitsPerSquareCentimetre = 100 };
        var area = SyntheticShape.Rectangle(0, 0, 320, 512);
        var pair = SyntheticTrichoscopyGenerator.GeneratePair(spec, 21, new ChangeSpec { Area = area, FollicularUnitChangeFraction = 0.5, HairChangeFraction = 0.2 });
        var c = pair.Change;
        var before = pair.Before.Truth;
        var after = pair.After.Truth;

        // Counts in the change truth agree with each frame's own truth.
        Assert.Equal(before.AnalysableHairCount, c.Overall.HairsBefore);
        Assert.Equal(after.AnalysableHairCount, c.Overall.HairsAfter);
        Assert.Equal(before.AnalysableFollicularUnitCount, c.Overall.FollicularUnitsBefore);
        Assert.Equal(after.AnalysableFollicularUnitCount, c.Overall.FollicularUnitsAfter);

        // Outside the area nothing changes; inside, units and hairs were added.
        Assert.Equal(c.OutsideArea.HairsBefore, c.OutsideArea.HairsAfter);
        Assert.Equal(c.OutsideArea.FollicularUnitsBefore, c.OutsideArea.FollicularUnitsAfter);
        Assert.True(c.InsideArea.FollicularUnitsAfter > c.InsideArea.FollicularUnitsBefore);
        Assert.True(c.InsideArea.HairsAfter > c.InsideArea.HairsBefore);
        Assert.Empty(c.RemovedHairTrackIds);
        Assert.Equal(c.InsideArea.HairsAfter - c.InsideArea.HairsBefore, c.AddedHairTrackIds.Count);

        // Units: +50% of the counted units in the area, rounded.
        Assert.Equal(c.InsideArea.FollicularUnitsBefore + (int)Math.Round(0.5 * c.InsideArea.FollicularUnitsBefore, MidpointRounding.AwayFromZero), c.InsideArea.FollicularUnitsAfter);

        // Every hair of the before frame is in the after frame with the same geometry.
        var afterByTrack = after.HairDetails.ToDictionary(d => d.TrackId, d => after.Hairs[d.HairId]);
        foreach (var d in before.HairDetails)
        {
            var h = before.Hairs[d.HairId];
            var a = afterByTrack[d.TrackId];
            Assert.Equal(h.Emergence, a.Emergence);
            Assert.Equal(h.Tip, a.Tip);
        }

        // Pixels far from any added hair are identical.
        using var b = Cv2.ImDecode(pair.Before.EncodedImage, ImreadModes.Color);
        using var af = Cv2.ImDecode(pair.After.EncodedImage, ImreadModes.Color);
        var addedHairs = after.HairDetails.Where(d => c.AddedHairTrackIds.Contains(d.TrackId)).Select(d => after.Hairs[d.HairId]).ToList();
        var checkedPixels = 0;
        for (var y = 0; y < 512; y += 4)
        {
            for (var x = 0; x < 640; x += 4)
            {
                // Far from added shafts and their blurred subsurface shadows (up to ~0.5 mm behind).
                if (addedHairs.Any(h => SyntheticTrichoscopyGeneratorTests.DistanceToShaft(h, x + 0.5, y + 0.5) < 0.6 * 180))
                {
                    continue;
                }

                Assert.Equal(b.At<Vec3b>(y, x), af.At<Vec3b>(y, x));
                checkedPixels++;
            }
        }

        Assert.True(checkedPixels > 1000);
    }

    [Fact]
    public void Pair_removal_removes_the_stated_fraction()
    {
        var spec = Fast with { FollicularUnitsPerSquareCentimetre = 120 };
        var change = new ChangeSpec { Area = SyntheticShape.Rectangle(0, 0, 640, 512), FollicularUnitChangeFraction = -0.4 };
        var pair = SyntheticTrichoscopyGenerator.GeneratePair(spec, 4, change);
        var inside = pair.Change.InsideArea;
        Assert.Equal(inside.FollicularUnitsBefore - (int)Math.Round(0.4 * inside.FollicularUnitsBefore, MidpointRounding.AwayFromZero), inside.FollicularUnitsAfter);
        Assert.NotEmpty(pair.Change.RemovedFollicularUnitTrackIds);
        Assert.Empty(pair.Change.AddedHairTrackIds);
        Assert.Equal(inside.HairsBefore - inside.HairsAfter, pair.Change.RemovedHairTrackIds.Count(id => pair.Before.Truth.HairDetails.Any(d => d.TrackId == id && d.Counted)));
    }

    [Fact]
    public void Pair_without_motion_starts_from_the_plain_frame()
    {
        var spec = Fast with { Overlays = SyntheticOverlays.InfoBar, Regions = [SyntheticRegionSpec.PlugScar(new PointPixels(300, 300), 400)] };
        var plain = SyntheticTrichoscopyGenerator.Generate(spec, 12);
        var pair = SyntheticTrichoscopyGenerator.GeneratePair(spec, 12, new ChangeSpec { Area = SyntheticShape.Rectangle(0, 0, 100, 100), HairChangeFraction = 0.5 });
        Assert.Equal(plain.EncodedImage, pair.Before.EncodedImage);
    }

    [Fact]
    public void Moved_pair_shows_the_same_hairs_moved_by_the_transform()
    {
        var spec = Small with { FollicularUnitsPerSquareCentimetre = 90, NoiseSigma = 1 };
        var motion = new SyntheticRigidTransform(37.5, -21.25, 8);
        var change = new ChangeSpec { Area = SyntheticShape.Rectangle(320, 0, 320, 512), FollicularUnitChangeFraction = -0.5, AfterTransform = motion };
        var pair = SyntheticTrichoscopyGenerator.GeneratePair(spec, 33, change);
        Assert.Equal(motion, pair.Change.AfterFromBefore);
        var before = pair.Before.Truth;
        var after = pair.After.Truth;
        var afterByTrack = after.HairDetails.ToDictionary(d => d.TrackId, d => after.Hairs[d.HairId]);
        var matched = 0;
        foreach (var d in before.HairDetails)
        {
            if (!afterByTrack.TryGetValue(d.TrackId, out var a))
            {
                continue;
            }

            var expected = motion.Apply(before.Hairs[d.HairId].Emergence, 640, 512);
            Assert.Equal(expected.X, a.Emergence.X, 6);
            Assert.Equal(expected.Y, a.Emergence.Y, 6);
            matched++;
        }

        Assert.True(matched > 5);
        Assert.True(pair.Change.InsideArea.FollicularUnitsAfter < pair.Change.InsideArea.FollicularUnitsBefore);
        Assert.Equal(pair.Change.OutsideArea.HairsBefore, pair.Change.OutsideArea.HairsAfter);

        // Skin pixels line up under the transform: sampled away from the changed half and the borders.
        using var b = Cv2.ImDecode(pair.Before.EncodedImage, ImreadModes.Color);
        using var af = Cv2.ImDecode(pair.After.EncodedImage, ImreadModes.Color);
        double aligned = 0, unaligned = 0;
        var n = 0;
        for (var y = 120; y < 400; y += 6)
        {
            for (var x = 80; x < 280; x += 6)
            {
                var q = motion.Apply(new PointPixels(x + 0.5, y + 0.5), 640, 512);
                var pb = b.At<Vec3b>(y, x);
                var pa = af.At<Vec3b>((int)Math.Floor(q.Y), (int)Math.Floor(q.X));
                var pu = af.At<Vec3b>(y, x);
                aligned += Math.Abs(pb.Item1 - pa.Item1);
                unaligned += Math.Abs(pb.Item1 - pu.Item1);
                n++;
            }
        }

        Assert.True(aligned / n < 0.5 * unaligned / n, $"aligned {aligned / n:F1} vs unaligned {unaligned / n:F1}");
    }

    private static SyntheticRendering SyntheticTrichoscyGenerate(SyntheticTrichoscopySpec spec, int seed) => SyntheticTrichoscopyGenerator.Render(spec, seed);

    private static (double B, double G, double R) Colours(Mat bgr, SyntheticGroundTruth t, RegionClass cls)
    {
        double b = 0, g = 0, r = 0;
        var n = 0;
        for (var i = 0; i < t.RegionLabels.Length; i++)
        {
            if (t.RegionLabels[i] != (byte)cls || t.HairMask[i] != 0)
            {
                continue;
            }

            var px = bgr.At<Vec3b>(i / t.WidthPixels, i % t.WidthPixels);
            b += px.Item0;
            g += px.Item1;
            r += px.Item2;
            n++;
        }

        return n == 0 ? (0, 0, 0) : (b / n, g / n, r / n);
    }
}
