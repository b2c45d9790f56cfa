using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using SmpVision.Contracts.V1;

namespace SmpVision.Service.Tests;

/// <summary>
/// Defects found by sending hostile and malformed requests from outside (issue 17): each once
/// answered INTERNAL or UNKNOWN, echoed unbounded input, or ran for seconds on an absurd scale.
/// Every one must get a clear INVALID_ARGUMENT and leave the service serving.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class HostileInputTests(ServiceFixture service)
{
    private ScalpAnalysis.ScalpAnalysisClient Client => new(service.Channel);

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    private Task<AnalyzeResponse> Analyze(byte[] image, AnalysisOptions? options = null) =>
        Client.AnalyzeAsync(new AnalyzeRequest { Image = ByteString.CopyFrom(image), Options = options ?? new AnalysisOptions() }).ResponseAsync;

    /// <summary>Sends <paramref name="body"/> as the protobuf body of Analyze, unparsed by the client.</summary>
    private async Task<RpcException> RawUnaryAsync(byte[] body)
    {
        var method = new Method<byte[], byte[]>(MethodType.Unary, "smpvision.v1.ScalpAnalysis", "Analyze", Raw, Raw);
        var invoker = service.Channel.CreateCallInvoker();
        return await Assert.ThrowsAsync<RpcException>(async () => await invoker.AsyncUnaryCall(method, null, new CallOptions(), body).ResponseAsync);
    }

    [Fact]
    public async Task Bmp_header_with_height_int_min_is_invalid_not_internal()
    {
        var bmp = new byte[64];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(2), 64);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 640);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), int.MinValue);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "image", () => Analyze(bmp));
        Assert.Contains("BMP", reason, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(5e-324)]
    [InlineData(1e-300)]
    [InlineData(0.01)]
    [InlineData(1e6)]
    public async Task Absurd_pixels_per_millimetre_is_refused_with_the_plausible_range(double ppm)
    {
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.scale.pixels_per_millimetre", () =>
            Analyze(TestImages.ScalpLikePng(), new AnalysisOptions { Scale = new ScaleOptions { PixelsPerMillimetre = ppm } }));
        Assert.Contains("px/mm", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_implausible_for_the_modality_is_refused()
    {
        // 2 px/mm is a plausible head photo but no trichoscope: a 640 px frame would span 32 cm.
        var trichoscopy = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.scale.pixels_per_millimetre", () =>
            Analyze(TestImages.ScalpLikePng(), new AnalysisOptions { Modality = Modality.Trichoscopy, Scale = new ScaleOptions { PixelsPerMillimetre = 2 } }));
        Assert.Contains("trichoscopy", trichoscopy, StringComparison.Ordinal);

        // 500 px/mm is a trichoscope, not a head photo: a 640 px photo would span 1.3 mm.
        var overhead = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.scale.pixels_per_millimetre", () =>
            Analyze(TestImages.ScalpLikePng(), new AnalysisOptions { Modality = Modality.Overhead, Scale = new ScaleOptions { PixelsPerMillimetre = 500 } }));
        Assert.Contains("overhead", overhead, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_message_that_is_not_protobuf_is_invalid_argument()
    {
        var method = new Method<byte[], byte[]>(MethodType.ClientStreaming, "smpvision.v1.ScalpAnalysis", "AnalyzeUpload", Raw, Raw);
        using var call = service.Channel.CreateCallInvoker().AsyncClientStreamingCall(method, null, new CallOptions());
        try
        {
            await call.RequestStream.WriteAsync(new AnalyzeUploadRequest { Header = new UploadHeader() }.ToByteArray());
            await call.RequestStream.WriteAsync([0x0a, 0xff, 0xff, 0xff, 0x0f]);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may end the call before the client finished writing; its status is on the response.
        }

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    [Fact]
    public async Task Malformed_protobuf_bodies_are_invalid_argument_not_unknown()
    {
        // A lone length-delimited tag with no length; field tag 0; invalid UTF-8 in device_id.
        var valid = new AnalyzeRequest { Options = new AnalysisOptions { Scale = new ScaleOptions { Device = new DeviceProfileReference { DeviceId = "AB" } } } }.ToByteArray();
        var badUtf8 = valid.ToArray();
        var at = badUtf8.AsSpan().IndexOf("AB"u8);
        badUtf8[at] = 0xFF;
        badUtf8[at + 1] = 0xFE;
        foreach (var body in new[] { new byte[] { 0x0a }, [0x00, 0x01], badUtf8 })
        {
            var ex = await RawUnaryAsync(body);
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Contains("protobuf", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
        }

        Assert.NotNull(await Analyze(TestImages.ScalpLikePng())); // and the service keeps serving
    }

    [Fact]
    public async Task Long_device_id_is_refused_without_echoing_it()
    {
        var id = new string('x', 30_000);
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Analyze(TestImages.ScalpLikePng(), new AnalysisOptions { Scale = new ScaleOptions { Device = new DeviceProfileReference { DeviceId = id } } }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.DoesNotContain(new string('x', 200), ex.Status.Detail, StringComparison.Ordinal);
        var details = ex.Trailers.GetValueBytes("grpc-status-details-bin");
        Assert.NotNull(details);
        Assert.InRange(details!.Length, 1, 4096);

        // The next call on the same channel is answered.
        Assert.NotNull(await Analyze(TestImages.ScalpLikePng()));
    }

    [Fact]
    public async Task Unknown_device_id_is_quoted_only_in_bounded_form()
    {
        var id = new string('y', 100);
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.scale.device.device_id", () =>
            Analyze(TestImages.ScalpLikePng(), new AnalysisOptions { Scale = new ScaleOptions { Device = new DeviceProfileReference { DeviceId = id } } }));
        Assert.DoesNotContain(new string('y', 65), reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_string_field_of_every_service_is_bounded()
    {
        // The health service's request carries a string too: the bound is applied to every
        // message the server parses, not field by field in the mappers.
        var health = new Health.HealthClient(service.Channel);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = new string('z', 100_000) }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("service", ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("zzzz", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dots_per_response_are_bounded_at_the_lowest_plausible_scale()
    {
        // 0.5 px/mm, the lowest overhead scale: 640x512 px is then 1.3 m2 of "scalp", millions of
        // dots at SMP density. The response carries at most the cap and says so. The whole frame
        // is drawn as the treatment area, so the clinician makes all of it scalp.
        var whole = new PolygonPixels();
        whole.Vertices.Add(new[] { new PointPixels { X = 0, Y = 0 }, new PointPixels { X = 639, Y = 0 }, new PointPixels { X = 639, Y = 511 }, new PointPixels { X = 0, Y = 511 } });
        var options = new AnalysisOptions
        {
            Modality = Modality.Overhead,
            Scale = new ScaleOptions { PixelsPerMillimetre = 0.5 },
            Output = new OutputOptions { ReturnDotLayout = true },
            Clinician = new ClinicianInput(),
        };
        options.Clinician.TreatmentAreas.Add(new ClinicianPolygon { Id = "whole frame", Polygon = whole });
        var reply = await Analyze(TestImages.ScalpLikePng(), options);
        Assert.InRange(reply.Plan.Dots.Count, 1, 60_000);
        Assert.Contains(reply.Warnings, w => w.Code == "dot-cap");
    }
}
