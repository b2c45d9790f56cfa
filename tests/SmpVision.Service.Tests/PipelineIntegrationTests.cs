using Google.Protobuf;
using Grpc.Core;
using OpenCvSharp;
using SmpVision.Contracts.V1;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Service.Tests;

/// <summary>The API carries every pipeline output, on frames from the project's own generator.</summary>
[Collection(ServiceCollection.Name)]
public sealed class PipelineIntegrationTests(ServiceFixture service)
{
    private static readonly SyntheticTrichoscopySpec Spec = new() { WidthPixels = 640, HeightPixels = 512, PixelsPerMillimetre = 180 };

    private ScalpAnalysis.ScalpAnalysisClient Client => new(service.Channel);

    private static AnalysisOptions Options(bool everything = true) => new()
    {
        Modality = Modality.Trichoscopy,
        Scale = new ScaleOptions { PixelsPerMillimetre = Spec.PixelsPerMillimetre },
        Zone = ScalpZone.OccipitalDonor,
        Output = new OutputOptions { ReturnLabelMap = everything, ReturnPreviewImage = everything, ReturnDotLayout = everything, ReturnHairs = everything },
    };

    [Fact]
    public async Task Analyze_returns_measurements_regions_label_map_plan_and_preview()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 11);
        var reply = await Client.AnalyzeAsync(new AnalyzeRequest { Image = ByteString.CopyFrom(frame.EncodedImage), Options = Options() });

        var m = reply.Measurements;
        Assert.True(m.HairCount > 0);
        Assert.True(m.HasHairsPerSquareCentimetre && m.HairsPerSquareCentimetre > 0);
        Assert.True(m.HasHairsPerSquareCentimetreStandardError);
        Assert.True(m.AnalysedAreaSquareMillimetres > 0);
        Assert.NotNull(m.Colour.Skin);
        Assert.True(m.Colour.HasSkinItaDegrees);
        Assert.InRange(m.Colour.SkinItaDegrees, -90, 90);
        Assert.True(m.Colour.SkinColourReliable);
        // One skin colour per frame: the plan's pigment reads the measured one.
        Assert.Equal(m.Colour.Skin, reply.Plan.Pigment.SkinColour);
        Assert.Equal(m.Colour.SkinItaDegrees, reply.Plan.Pigment.SkinItaDegrees);
        // Every warning once, in one list.
        Assert.Equal(reply.Warnings.Count, reply.Warnings.Select(w => w.Code).Distinct(StringComparer.Ordinal).Count());
#pragma warning disable CS0612 // plan.warnings is deprecated: it stays empty
        Assert.Empty(reply.Plan.Warnings);
#pragma warning restore CS0612
        Assert.Equal(m.HairCount, (uint)reply.Hairs.Count(h => h.CountedInDensity));
        // The generated frame has dark hair on light skin.
        Assert.Equal(HairPolarity.Dark, m.HairPolarity);

        Assert.NotEmpty(reply.Regions);
        Assert.All(reply.Regions, r => Assert.True(r.HasAreaSquareMillimetres));
        using (var labels = Cv2.ImDecode(reply.LabelMap.Png.ToByteArray(), ImreadModes.Unchanged))
        {
            Assert.Equal((640, 512, 1), (labels.Width, labels.Height, labels.Channels()));
        }

        Assert.Contains(reply.LabelMap.Legend, e => e.RegionClass == RegionClass.Scar && e.Value == 4);
        Assert.NotNull(reply.Plan.Reference);
        Assert.NotEqual(ReferenceDensitySource.Unspecified, reply.Plan.Reference.Source);
        Assert.InRange(reply.Plan.Pigment.DilutionLevel, 1u, 5u);
        using (var preview = Cv2.ImDecode(reply.PreviewPng.ToByteArray(), ImreadModes.Color))
        {
            Assert.Equal((640, 512), (preview.Width, preview.Height));
        }

        Assert.Contains(reply.Timings, t => t.Stage == "regions");
        Assert.Contains(reply.Timings, t => t.Stage == "planning");
    }

    [Fact]
    public async Task Detected_modality_is_reported_with_its_evidence()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 12);
        var options = Options(everything: false);
        options.Modality = Modality.AutoDetect;
        var reply = await Client.AnalyzeAsync(new AnalyzeRequest { Image = ByteString.CopyFrom(frame.EncodedImage), Options = options });
        Assert.True(reply.ModalityDetected);
        Assert.Equal(Modality.Trichoscopy, reply.Modality);
        Assert.NotEmpty(reply.ModalityCues);
    }

    [Fact]
    public async Task Compare_of_a_photo_with_itself_reports_no_significant_change()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec with { FollicularUnitsPerSquareCentimetre = 90 }, seed: 13);
        var bytes = ByteString.CopyFrom(frame.EncodedImage);
        var reply = await Client.CompareAsync(new CompareRequest { BeforeImage = bytes, AfterImage = bytes, Options = Options(everything: false), ReturnChangeMap = true });

        Assert.Equal(9, reply.Registration.HomographyAfterToBefore.Count);
        Assert.True(reply.Registration.MedianResidualPixels < 1.0);
        Assert.Equal(ChangeSignificance.NoSignificantChange, reply.Overall.Hairs.Significance);
        Assert.Equal(0, reply.Overall.Hairs.Difference);
        Assert.False(reply.ChangeMapPng.IsEmpty);
        Assert.NotEmpty(reply.ChangeMapLegend);

        // Identical visits: the difference image is noise, so differencing finds no changed shaft.
        Assert.NotNull(reply.Differential);
        Assert.Equal(0u, reply.Differential.GainedShaftCount + reply.Differential.LostShaftCount);
    }

    [Fact]
    public async Task Compare_refuses_unrelated_photos()
    {
        var a = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 21);
        var b = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 22);
        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.CompareAsync(new CompareRequest
        {
            BeforeImage = ByteString.CopyFrom(a.EncodedImage),
            AfterImage = ByteString.CopyFrom(b.EncodedImage),
            Options = Options(everything: false),
        }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(ex.Status.Detail));
        var info = ex.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>();
        Assert.NotNull(info);
        Assert.StartsWith("REGISTRATION_", info!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_names_the_bad_photo()
    {
        var a = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 23);
        await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "after_image", () => Client.CompareAsync(new CompareRequest
        {
            BeforeImage = ByteString.CopyFrom(a.EncodedImage),
            AfterImage = ByteString.CopyFromUtf8("not an image"),
            Options = Options(everything: false),
        }).ResponseAsync);
    }
}
