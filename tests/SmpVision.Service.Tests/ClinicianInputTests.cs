using Google.Protobuf;
using Grpc.Core;
using OpenCvSharp;
using SmpVision.Contracts.V1;
using SmpVision.Pipeline.Synthetic.Overhead;

namespace SmpVision.Service.Tests;

/// <summary>Clinician input is part of the request: mapped, checked, and obeyed by the plan.</summary>
[Collection(ServiceCollection.Name)]
public sealed class ClinicianInputTests(ServiceFixture service)
{
    private ScalpAnalysis.ScalpAnalysisClient Client => new(service.Channel);

    private static ClinicianPolygon Box(string id, double x0, double y0, double x1, double y1)
    {
        var polygon = new PolygonPixels();
        polygon.Vertices.Add(new[] { new PointPixels { X = x0, Y = y0 }, new PointPixels { X = x1, Y = y0 }, new PointPixels { X = x1, Y = y1 }, new PointPixels { X = x0, Y = y1 } });
        return new ClinicianPolygon { Id = id, Polygon = polygon };
    }

    private static byte[] OverheadPng(int seed)
    {
        using var scene = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = seed, BaldRadiusFraction = 0.8 });
        return scene.Image.Bgr.ImEncode(".png");
    }

    [Fact]
    public async Task Treatment_area_and_exclusion_decide_where_dots_go()
    {
        // 400 x 400 scene, head centred with a large bald crown; 4 px/mm given by the caller.
        var options = new AnalysisOptions
        {
            Modality = Modality.Overhead,
            Scale = new ScaleOptions { PixelsPerMillimetre = 4 },
            Output = new OutputOptions { ReturnDotLayout = true, ReturnPreviewImage = true },
            Overhead = new OverheadViewOptions { View = OverheadView.Top, FaceEdge = HairlineEdge.Bottom },
            Clinician = new ClinicianInput { ReferenceFollicularUnitsPerSquareCentimetre = 60 },
        };
        options.Clinician.TreatmentAreas.Add(Box("crown", 130, 90, 270, 230));
        options.Clinician.Exclusions.Add(Box("mole", 180, 140, 220, 180));
        var reply = await Client.AnalyzeAsync(new AnalyzeRequest { Image = ByteString.CopyFrom(OverheadPng(21)), Options = options });

        Assert.NotEmpty(reply.Plan.Dots);
        Assert.All(reply.Plan.Dots, d => Assert.True(d.Position.X is >= 129 and <= 271 && d.Position.Y is >= 89 and <= 231, $"dot {d.Position} outside the treatment area"));
        Assert.DoesNotContain(reply.Plan.Dots, d => d.Position.X is > 181 and < 219 && d.Position.Y is > 141 and < 179);
        Assert.Equal(60, reply.Plan.Reference.FollicularUnitsPerSquareCentimetre, 6);
        Assert.Equal(OverheadView.Top, reply.Overhead.View);
        Assert.False(reply.Overhead.ViewDetected);
        Assert.Equal(HairlineEdge.Bottom, reply.Overhead.FaceEdge);
        Assert.Single(reply.Overhead.TreatmentBoundary);
        Assert.NotNull(reply.Overhead.BaldScalpSkinColour);
        // The pigment rule uses the same skin colour the overhead measurement reports.
        Assert.Equal(reply.Overhead.BaldScalpSkinColour.L, reply.Plan.Pigment.SkinColour.L, 6);
    }

    [Fact]
    public async Task A_polygon_with_two_vertices_is_refused_naming_the_field()
    {
        var options = new AnalysisOptions { Modality = Modality.Overhead, Clinician = new ClinicianInput() };
        var bad = Box("sliver", 0, 0, 10, 10);
        bad.Polygon.Vertices.RemoveAt(3);
        bad.Polygon.Vertices.RemoveAt(2);
        options.Clinician.Exclusions.Add(bad);
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.clinician.exclusions[0].polygon.vertices",
            () => Client.AnalyzeAsync(new AnalyzeRequest { Image = ByteString.CopyFrom(OverheadPng(22)), Options = options }).ResponseAsync);
        Assert.Contains("three", reason, StringComparison.Ordinal);
    }
}
