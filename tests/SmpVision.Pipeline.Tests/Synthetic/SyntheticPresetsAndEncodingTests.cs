using OpenCvSharp;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Synthetic;

public sealed class SyntheticPresetsAndEncodingTests
{
    [Fact]
    public void Every_preset_gives_valid_specs_over_many_seeds()
    {
        foreach (var preset in SyntheticPresets.Names)
        {
            for (var seed = 0; seed < 300; seed++)
            {
                var spec = SyntheticPresets.Create(preset, seed);
                Assert.Empty(spec.Validate());
                var small = SyntheticPresets.Create(preset, seed, 640, 512, 180);
                Assert.Empty(small.Validate());
            }
        }

        Assert.Throws<ArgumentException>(() => SyntheticPresets.Create("nope", 1));
    }

    [Fact]
    public void Regions_preset_adds_regions_and_mixed_varies_the_look()
    {
        var specs = Enumerable.Range(0, 60).Select(s => SyntheticPresets.Create("mixed", s)).ToList();
        Assert.True(specs.Select(s => s.HairColour).Distinct().Count() >= 5);
        Assert.Contains(specs, s => s.Overlays != SyntheticOverlays.None);
        Assert.Contains(specs, s => s.JpegQuality is null);
        Assert.Contains(specs, s => s.JpegQuality is not null);
        Assert.Contains(specs, s => s.SkinItaDegrees < 0);
        Assert.Contains(specs, s => s.SkinItaDegrees > 55);
        Assert.All(Enumerable.Range(0, 20).Select(s => SyntheticPresets.Create("regions", s)), s => Assert.NotEmpty(s.Regions));
    }

    [Fact]
    public void Jpeg_quality_gives_a_decodable_jpeg_of_the_frame_size()
    {
        var spec = SyntheticTrichoscopyGeneratorTests.Fast with { JpegQuality = 85 };
        var frame = SyntheticTrichoscopyGenerator.Generate(spec, 3);
        Assert.Equal(".jpg", frame.FileExtension);
        Assert.Equal(0xFF, frame.EncodedImage[0]);
        Assert.Equal(0xD8, frame.EncodedImage[1]);
        using var decoded = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
        Assert.Equal(640, decoded.Cols);
        Assert.Equal(512, decoded.Rows);
    }

    [Fact]
    public void Loose_fragments_are_drawn_but_are_not_hairs()
    {
        var spec = SyntheticTrichoscopyGeneratorTests.Fast with { FollicularUnitsPerSquareCentimetre = 0, LooseHairFragments = 3, HairColour = SyntheticHairColour.Black };
        using var r = SyntheticTrichoscopyGenerator.Render(spec, 6);
        Assert.Empty(r.Truth.Hairs);
        Assert.Equal(0, r.Truth.HairMask.Count(v => v != 0));
        Assert.Equal(3, r.Truth.LooseFragments.Count);
        foreach (var f in r.Truth.LooseFragments)
        {
            var x = (int)((f.Start.X + f.End.X) / 2);
            var y = (int)((f.Start.Y + f.End.Y) / 2);
            if (x < 0 || y < 0 || x >= 640 || y >= 512)
            {
                continue;
            }

            // Black shaft on light skin: the fragment's middle is dark.
            Assert.True(r.Bgr.At<Vec3b>(y, x).Item1 < 90);
        }
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SyntheticTrichoscopyGenerator.Generate(SyntheticTrichoscopyGeneratorTests.Fast, 1, cts.Token));
    }

    [Fact]
    public void Label_image_carries_region_values_and_hair()
    {
        using var r = SyntheticTrichoscopyGenerator.Render(SyntheticTrichoscopyGeneratorTests.Fast with { Overlays = SyntheticOverlays.GreyBand }, 4);
        using var labels = Cv2.ImDecode(SyntheticLabelImage.Encode(r.Truth), ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_8UC1, labels.Type());
        var hairPixels = 0;
        for (var i = 0; i < r.Truth.RegionLabels.Length; i += 3)
        {
            var v = labels.At<byte>(i / 640, i % 640);
            if (r.Truth.HairMask[i] != 0)
            {
                Assert.Equal(SyntheticLabelImage.HairValue, v);
                hairPixels++;
            }
            else
            {
                Assert.Equal(r.Truth.RegionLabels[i], v);
            }
        }

        Assert.True(hairPixels > 0);
    }
}
