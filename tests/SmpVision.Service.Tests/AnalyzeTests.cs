using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using OpenCvSharp;
using SmpVision.Contracts.V1;

namespace SmpVision.Service.Tests;

[Collection(ServiceCollection.Name)]
public sealed class AnalyzeTests(ServiceFixture service)
{
    private ScalpAnalysis.ScalpAnalysisClient Client => new(service.Channel);

    private static AnalysisOptions Trichoscopy(double pixelsPerMillimetre = 180) => new()
    {
        Modality = Modality.Trichoscopy,
        Scale = new ScaleOptions { PixelsPerMillimetre = pixelsPerMillimetre },
    };

    [Fact]
    public async Task Analyze_returns_image_info_scale_versions_and_timings()
    {
        var png = TestImages.ScalpLikePng();
        var reply = await Client.AnalyzeAsync(new AnalyzeRequest { Image = ByteString.CopyFrom(png), Options = Trichoscopy() });

        Assert.Equal("png", reply.Image.Format);
        Assert.Equal(640u, reply.Image.WidthPixels);
        Assert.Equal(512u, reply.Image.HeightPixels);
        Assert.Equal((ulong)png.Length, reply.Image.EncodedSizeBytes);
        Assert.Equal(ScaleSource.Request, reply.Scale.Source);
        Assert.Equal(180, reply.Scale.PixelsPerMillimetre);
        Assert.Equal(Modality.Trichoscopy, reply.Modality);
        Assert.False(string.IsNullOrEmpty(reply.Versions.Pipeline));
        Assert.Contains(reply.Timings, t => t.Stage == "decode");
    }

    [Fact]
    public async Task Exif_orientation_is_applied()
    {
        var jpeg = TestImages.JpegWithOrientation(400, 256, orientation: 6);
        var reply = await Client.AnalyzeAsync(new AnalyzeRequest { Image = ByteString.CopyFrom(jpeg), Options = Trichoscopy() });
        Assert.Equal(6u, reply.Image.ExifOrientationApplied);
        Assert.Equal(400u, reply.Image.EncodedWidthPixels);
        Assert.Equal(256u, reply.Image.WidthPixels);
        Assert.Equal(400u, reply.Image.HeightPixels);
    }

    [Fact]
    public async Task Without_a_scale_the_response_says_so()
    {
        var reply = await Client.AnalyzeAsync(new AnalyzeRequest
        {
            Image = ByteString.CopyFrom(TestImages.ScalpLikePng()),
            Options = new AnalysisOptions { Modality = Modality.Trichoscopy },
        });
        Assert.False(reply.Scale.HasPixelsPerMillimetre);
        Assert.Contains(reply.Warnings, w => w.Code == "no-scale");
    }

    [Fact]
    public async Task A_30_megabyte_photo_succeeds_through_the_streaming_upload()
    {
        // Sensor-like noise on a scalp-like frame compresses poorly, so a 4200x3400 PNG is over 30 MB.
        byte[] png;
        using (var mat = TestImages.ScalpLike(4200, 3400))
        using (var noise = new Mat(3400, 4200, MatType.CV_8UC3))
        {
            Cv2.SetTheRNG(1); // per-thread RNG: the same noise on any thread
            Cv2.Randu(noise, new Scalar(0, 0, 0), new Scalar(40, 40, 40));
            Cv2.Add(mat, noise, mat);
            png = mat.ImEncode(".png");
        }

        Assert.InRange(png.Length, 28_000_000, 48_000_000);
        using var call = Client.AnalyzeUpload();
        await call.RequestStream.WriteAsync(new AnalyzeUploadRequest
        {
            Header = new UploadHeader { TotalSizeBytes = (ulong)png.Length, Options = Trichoscopy(1200) },
        });
        const int chunk = 1024 * 1024;
        for (var offset = 0; offset < png.Length; offset += chunk)
        {
            await call.RequestStream.WriteAsync(new AnalyzeUploadRequest { Chunk = ByteString.CopyFrom(png, offset, Math.Min(chunk, png.Length - offset)) });
        }

        await call.RequestStream.CompleteAsync();
        var reply = await call.ResponseAsync;
        Assert.Equal(4200u, reply.Image.WidthPixels);
        Assert.Equal((ulong)png.Length, reply.Image.EncodedSizeBytes);
    }

    [Fact]
    public async Task Upload_must_start_with_a_header()
    {
        await RpcAssert.FieldViolationAsync(global::Grpc.Core.StatusCode.InvalidArgument, "header", async () =>
        {
            using var call = Client.AnalyzeUpload();
            try
            {
                await call.RequestStream.WriteAsync(new AnalyzeUploadRequest { Chunk = ByteString.CopyFrom(TestImages.ScalpLikePng()) });
                await call.RequestStream.CompleteAsync();
            }
            catch (global::Grpc.Core.RpcException)
            {
                // The service ends the call at the first message without a header; a write or the
                // completion racing that end fails on the client. The server's status is on the
                // response, as a real client should read it (grpc-dotnet client streaming pattern).
            }

            await call.ResponseAsync;
        });
    }

    [Fact]
    public async Task Json_transcoding_answers_a_plain_http_post()
    {
        using var http = service.CreateClient();
        var body = new
        {
            image = Convert.ToBase64String(TestImages.ScalpLikePng()),
            options = new { modality = "MODALITY_TRICHOSCOPY", scale = new { pixelsPerMillimetre = 180.0 } },
        };
        using var response = await http.PostAsJsonAsync("/v1/analyze", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(640, json.RootElement.GetProperty("image").GetProperty("widthPixels").GetInt32());
        Assert.Equal("SCALE_SOURCE_REQUEST", json.RootElement.GetProperty("scale").GetProperty("source").GetString());
    }

    [Fact]
    public async Task Json_errors_carry_the_field_violation()
    {
        using var http = service.CreateClient();
        using var response = await http.PostAsJsonAsync("/v1/analyze", new { image = "" });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("fieldViolations", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_web_clients_are_served()
    {
        using var channel = GrpcChannel.ForAddress(service.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, service.Server.CreateHandler()),
        });
        var reply = await new ScalpAnalysis.ScalpAnalysisClient(channel).AnalyzeAsync(new AnalyzeRequest
        {
            Image = ByteString.CopyFrom(TestImages.ScalpLikePng()),
            Options = Trichoscopy(),
        });
        Assert.Equal(512u, reply.Image.HeightPixels);
    }
}
