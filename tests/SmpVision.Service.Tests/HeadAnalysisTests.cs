using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using OpenCvSharp;
using SmpVision.Contracts.V1;
using SmpVision.Pipeline.Synthetic.Overhead;

namespace SmpVision.Service.Tests;

/// <summary>The multi-view head request, end to end over gRPC and JSON.</summary>
[Collection(ServiceCollection.Name)]
public sealed class HeadAnalysisTests(ServiceFixture service)
{
    private ScalpAnalysis.ScalpAnalysisClient Client => new(service.Channel);

    private static byte[] Scene(int seed, double bald)
    {
        using var scene = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = seed, WidthPixels = 320, HeightPixels = 320, BaldRadiusFraction = bald });
        return scene.Image.Bgr.ImEncode(".png");
    }

    private static readonly (OverheadView View, int Seed, double Bald)[] Set =
    [
        (OverheadView.Top, 31, 0.9), (OverheadView.Front, 32, 0.5), (OverheadView.Left, 33, 0.0), (OverheadView.Right, 34, 0.0), (OverheadView.Back, 35, 0.3),
    ];

    [Fact]
    public async Task Five_views_give_a_map_and_plan_each_and_a_salt_like_score()
    {
        var request = new AnalyzeHeadRequest { Options = new AnalysisOptions { Scale = new ScaleOptions { PixelsPerMillimetre = 2 } } };
        foreach (var (view, seed, bald) in Set)
        {
            request.Views.Add(new HeadViewPhoto { View = view, Image = ByteString.CopyFrom(Scene(seed, bald)), FaceEdge = view == OverheadView.Top ? HairlineEdge.Bottom : HairlineEdge.Unspecified });
        }

        var reply = await Client.AnalyzeHeadAsync(request);

        Assert.Equal(5, reply.Views.Count);
        Assert.Equal(Set.Select(s => s.View), reply.Views.Select(v => v.View));
        Assert.All(reply.Views, v =>
        {
            Assert.Equal(Modality.Overhead, v.Analysis.Modality);
            Assert.Equal(v.View, v.Analysis.Overhead.View);
            Assert.False(v.Analysis.Overhead.ViewDetected);
            Assert.NotEmpty(v.Analysis.Regions);
            Assert.NotNull(v.Analysis.Plan.Reference);
        });
        double Bald(OverheadView view) => reply.Views.Single(v => v.View == view).Analysis.Overhead.BaldFractionOfScalp;
        double expected = 100 * ((0.40 * Bald(OverheadView.Top)) + (0.18 * Bald(OverheadView.Left)) + (0.18 * Bald(OverheadView.Right)) + (0.24 * Bald(OverheadView.Back)));
        Assert.True(reply.HasSaltLikeScorePercent);
        Assert.Equal(expected, reply.SaltLikeScorePercent, 6);
        Assert.Equal(expected / 100, reply.BaldFractionOfHead, 6);
        Assert.Equal(1.0, reply.SaltWeightCoveredFraction, 6);
        Assert.Equal(0, reply.Views.Single(v => v.View == OverheadView.Front).SaltWeight);
        // The bald top weighs most: more bald than the full-haired sides.
        Assert.True(Bald(OverheadView.Top) > Bald(OverheadView.Left) + 0.3);
    }

    [Fact]
    public async Task Json_head_request_with_two_views_says_the_score_needs_all_four()
    {
        using var http = service.CreateClient();
        var body = new
        {
            views = new object[]
            {
                new { view = "OVERHEAD_VIEW_TOP", image = Convert.ToBase64String(Scene(41, 0.8)), faceEdge = "HAIRLINE_EDGE_BOTTOM" },
                new { view = "OVERHEAD_VIEW_BACK", image = Convert.ToBase64String(Scene(42, 0.0)) },
            },
        };
        using var response = await http.PostAsJsonAsync("/v1/analyze-head", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("views").GetArrayLength());
        Assert.False(root.TryGetProperty("saltLikeScorePercent", out _));
        Assert.Equal(0.64, root.GetProperty("saltWeightCoveredFraction").GetDouble(), 6);
        Assert.Contains(root.GetProperty("warnings").EnumerateArray(), w => w.GetProperty("code").GetString() == "head-views-missing");
        Assert.True(root.GetProperty("baldFractionOfHead").GetDouble() > 0);
    }

    [Fact]
    public async Task A_view_given_twice_is_refused_naming_it()
    {
        var request = new AnalyzeHeadRequest();
        request.Views.Add(new HeadViewPhoto { View = OverheadView.Top, Image = ByteString.CopyFrom(Scene(51, 0.5)) });
        request.Views.Add(new HeadViewPhoto { View = OverheadView.Top, Image = ByteString.CopyFrom(Scene(52, 0.5)) });
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "views[1].view", () => Client.AnalyzeHeadAsync(request).ResponseAsync);
        Assert.Contains("twice", reason, StringComparison.Ordinal);
    }
}
