using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using SmpVision.Contracts.V1;
using SmpVision.Service.Hosting;

namespace SmpVision.Service.Tests;

/// <summary>Each class of bad input gets a clear status and reason, and the service keeps serving.</summary>
[Collection(ServiceCollection.Name)]
public sealed class BadInputTests(ServiceFixture service)
{
    private ScalpAnalysis.ScalpAnalysisClient Client => new(service.Channel);

    private Task<AnalyzeResponse> Analyze(byte[] image, AnalysisOptions? options = null) =>
        Client.AnalyzeAsync(new AnalyzeRequest { Image = ByteString.CopyFrom(image), Options = options ?? new AnalysisOptions() }).ResponseAsync;

    [Fact]
    public async Task Empty_image_is_invalid()
    {
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "image", () => Analyze([]));
        Assert.Contains("empty", reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Corrupt_jpeg_is_invalid_with_a_reason()
    {
        byte[] garbage = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. Enumerable.Range(0, 500).Select(i => (byte)(i * 37))];
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "image", () => Analyze(garbage));
        Assert.Contains("JPEG", reason, StringComparison.Ordinal);

        var damagedTables = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "image", () => Analyze(TestImages.JpegWithDamagedTables()));
        Assert.Contains("damaged", damagedTables, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_jpeg_and_png_are_invalid()
    {
        var jpeg = TestImages.ScalpLikeJpeg();
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "image", () => Analyze(jpeg[..(jpeg.Length * 2 / 3)]));
        Assert.Contains("truncated", reason, StringComparison.Ordinal);

        var png = TestImages.ScalpLikePng();
        await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "image", () => Analyze(png[..(png.Length / 2)]));
    }

    [Fact]
    public async Task Unsupported_format_is_invalid()
    {
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "image", () => Analyze("%PDF-1.7 not an image"u8.ToArray()));
        Assert.Contains("JPEG, PNG, TIFF, WebP or BMP", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decompression_bomb_header_is_refused_before_decoding()
    {
        var bomb = TestImages.PngHeaderClaiming(100_000, 100_000);
        Assert.True(bomb.Length < 100);
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "image", () => Analyze(bomb));
        Assert.Contains("100000x100000", reason, StringComparison.Ordinal);
        Assert.Contains("before decoding", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_size_unary_message_is_resource_exhausted_and_points_to_the_upload()
    {
        var big = new byte[ServiceFixture.UnaryLimitBytes + 1];
        TestImages.ScalpLikeJpeg().CopyTo(big, 0);
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.ResourceExhausted, "image", () => Analyze(big));
        Assert.Contains("AnalyzeUpload", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_name_the_field()
    {
        var image = TestImages.ScalpLikePng();
        await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.scale.pixels_per_millimetre", () =>
            Analyze(image, new AnalysisOptions { Scale = new ScaleOptions { PixelsPerMillimetre = -3 } }));
        await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.scale.device.device_id", () =>
            Analyze(image, new AnalysisOptions { Scale = new ScaleOptions { Device = new DeviceProfileReference { DeviceId = "no-such-scope" } } }));
        var fractions = new PlanningOptions();
        fractions.SessionCumulativeFractions.AddRange([0.7, 0.3, 1.0]);
        await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.planning.session_cumulative_fractions", () =>
            Analyze(image, new AnalysisOptions { Planning = fractions }));
        // Beyond the default 3-session build-up: a caller's error, never INTERNAL.
        await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.planning.session_number", () =>
            Analyze(image, new AnalysisOptions { Modality = Modality.Trichoscopy, Planning = new PlanningOptions { SessionNumber = 4 } }));
        await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.modality", () =>
            Analyze(image, new AnalysisOptions { Modality = (Modality)42 }));
    }

    [Fact]
    public async Task Image_that_is_not_a_scalp_is_invalid()
    {
        var bars = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "image", () => Analyze(TestImages.ColourBarsPng()));
        Assert.Contains("scalp", bars, StringComparison.Ordinal);
        var document = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "image", () => Analyze(TestImages.DocumentPng()));
        Assert.Contains("scalp", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Busy_service_answers_resource_exhausted_after_the_bounded_wait_and_recovers()
    {
        await service.WaitUntilServingAsync();
        var gate = service.Services.GetRequiredService<AnalysisGate>();
        var leases = new List<IDisposable>();
        for (var i = 0; i < gate.Capacity; i++)
        {
            leases.Add(await gate.EnterAsync(CancellationToken.None));
        }

        try
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => Analyze(TestImages.ScalpLikePng()));
            Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
            Assert.Contains("busy", ex.Status.Detail, StringComparison.Ordinal);
        }
        finally
        {
            leases.ForEach(l => l.Dispose());
        }

        // Other requests are unaffected once slots free up.
        var ok = await Client.AnalyzeAsync(new AnalyzeRequest { Image = ByteString.CopyFrom(TestImages.ScalpLikePng()) });
        Assert.Equal(640u, ok.Image.WidthPixels);
    }
}
