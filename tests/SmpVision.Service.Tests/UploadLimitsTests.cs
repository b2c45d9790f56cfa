using System.Security.Cryptography;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SmpVision.Contracts.V1;
using SmpVision.Service.Hosting;

namespace SmpVision.Service.Tests;

/// <summary>Chunks carry offsets and a checksum, so reordered uploads are refused (issue 17: two swapped chunks returned OK).</summary>
[Collection(ServiceCollection.Name)]
public sealed class UploadIntegrityTests(ServiceFixture service)
{
    private ScalpAnalysis.ScalpAnalysisClient Client => new(service.Channel);

    private static async Task<AnalyzeResponse> UploadAsync(ScalpAnalysis.ScalpAnalysisClient client, UploadHeader header, IEnumerable<AnalyzeUploadRequest> chunks)
    {
        using var call = client.AnalyzeUpload();
        try
        {
            await call.RequestStream.WriteAsync(new AnalyzeUploadRequest { Header = header });
            foreach (var chunk in chunks)
            {
                await call.RequestStream.WriteAsync(chunk);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may end the call before every chunk is written; its status is on the response.
        }

        return await call.ResponseAsync;
    }

    private static List<(int Offset, byte[] Bytes)> Split(byte[] image, int parts)
    {
        var size = (image.Length + parts - 1) / parts;
        return [.. Enumerable.Range(0, parts).Select(i => (i * size, image.Skip(i * size).Take(size).ToArray()))];
    }

    [Fact]
    public async Task Swapped_chunks_with_offsets_are_refused()
    {
        var image = TestImages.ScalpLikePng();
        var parts = Split(image, 3);
        (parts[1], parts[2]) = (parts[2], parts[1]);
        var reason = await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "chunk.offset_bytes", () =>
            UploadAsync(Client, new UploadHeader { TotalSizeBytes = (ulong)image.Length }, parts.Select(p => new AnalyzeUploadRequest { Chunk = ByteString.CopyFrom(p.Bytes), OffsetBytes = (ulong)p.Offset })));
        Assert.Contains("reordered", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swapped_chunks_fail_the_sha256_and_ordered_ones_pass_it()
    {
        var image = TestImages.ScalpLikePng();
        var digest = ByteString.CopyFrom(SHA256.HashData(image));
        var parts = Split(image, 3);
        var ordered = await UploadAsync(Client, new UploadHeader { TotalSizeBytes = (ulong)image.Length, Sha256 = digest }, parts.Select(p => new AnalyzeUploadRequest { Chunk = ByteString.CopyFrom(p.Bytes), OffsetBytes = (ulong)p.Offset }));
        Assert.Equal(640u, ordered.Image.WidthPixels);

        (parts[1], parts[2]) = (parts[2], parts[1]);
        await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "header.sha256", () =>
            UploadAsync(Client, new UploadHeader { TotalSizeBytes = (ulong)image.Length, Sha256 = digest }, parts.Select(p => new AnalyzeUploadRequest { Chunk = ByteString.CopyFrom(p.Bytes) })));
    }
}

/// <summary>The service with small upload limits: 2 open uploads, 3 MiB buffered in all, 4 s idle.</summary>
public sealed class UploadLimitsFixture : WebApplicationFactory<Program>
{
    private GrpcChannel? _channel;

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler(), MaxReceiveMessageSize = null, MaxSendMessageSize = null });

    public UploadGate Gate => Services.GetRequiredService<UploadGate>();

    /// <summary>Records of this fixture, removed on dispose.</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "smpvision-upload-tests-" + Guid.NewGuid().ToString("N")[..12]);

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SmpVision:Service:MaxUnaryImageBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SmpVision:Service:MaxUploadBytes"] = (3 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SmpVision:Service:MaxBufferedUploadBytes"] = (3 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SmpVision:Service:MaxConcurrentUploads"] = "2",
            ["SmpVision:Service:UploadIdleTimeoutSeconds"] = "4",
            ["SmpVision:Service:UploadTotalTimeoutSeconds"] = "20",
            ["SmpVision:Security:Mode"] = "LocalDevelopment",
            ["SmpVision:Records:DataDirectory"] = DataDirectory,
        }));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _channel?.Dispose();
        }

        base.Dispose(disposing);
        if (disposing && Directory.Exists(DataDirectory))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

/// <summary>
/// Uploads time out, are capped in number and buffered bytes, and give everything back when they
/// end (issue 17: 20 stalled uploads held 1.24 GB, still held after cancel).
/// </summary>
public sealed class UploadLimitsTests(UploadLimitsFixture service) : IClassFixture<UploadLimitsFixture>
{
    private ScalpAnalysis.ScalpAnalysisClient Client => new(service.Channel);

    /// <summary>Waits (bounded) until the server's gate reaches the state; the test asserts on state, never on time.</summary>
    private async Task UntilAsync(Func<UploadGate, bool> condition)
    {
        for (var i = 0; i < 600 && !condition(service.Gate); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition(service.Gate), $"gate: {service.Gate.InFlight} open, {service.Gate.BufferedBytes} bytes");
    }

    [Fact]
    public async Task Stalled_upload_ends_with_deadline_exceeded_and_releases_its_bytes()
    {
        using var call = Client.AnalyzeUpload();
        await call.RequestStream.WriteAsync(new AnalyzeUploadRequest { Header = new UploadHeader() });
        await call.RequestStream.WriteAsync(new AnalyzeUploadRequest { Chunk = ByteString.CopyFrom(new byte[512 * 1024]) });
        // ... and then nothing: the idle timeout ends it.
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Contains("sent nothing", ex.Status.Detail, StringComparison.Ordinal);
        await UntilAsync(g => g.InFlight == 0 && g.BufferedBytes == 0);
    }

    [Fact]
    public async Task Open_uploads_and_buffered_bytes_are_capped_and_released_on_cancel()
    {
        using var cancel1 = new CancellationTokenSource();
        using var cancel2 = new CancellationTokenSource();
        using var first = Client.AnalyzeUpload(cancellationToken: cancel1.Token);
        using var second = Client.AnalyzeUpload(cancellationToken: cancel2.Token);
        await first.RequestStream.WriteAsync(new AnalyzeUploadRequest { Header = new UploadHeader() });
        await first.RequestStream.WriteAsync(new AnalyzeUploadRequest { Chunk = ByteString.CopyFrom(new byte[2 * 1024 * 1024]) });
        await UntilAsync(g => g.BufferedBytes >= 2 * 1024 * 1024);

        // A second upload fits in the slot count but not in the buffered bytes.
        await second.RequestStream.WriteAsync(new AnalyzeUploadRequest { Header = new UploadHeader() });
        try
        {
            await second.RequestStream.WriteAsync(new AnalyzeUploadRequest { Chunk = ByteString.CopyFrom(new byte[2 * 1024 * 1024]) });
        }
        catch (RpcException)
        {
        }

        var busy = await Assert.ThrowsAsync<RpcException>(async () => await second.ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, busy.StatusCode);
        Assert.NotNull(busy.GetRpcStatus()?.GetDetail<RetryInfo>());

        // The client cancels the first: its slot and bytes come back.
        await cancel1.CancelAsync();
        await Assert.ThrowsAsync<RpcException>(async () => await first.ResponseAsync);
        await UntilAsync(g => g.InFlight == 0 && g.BufferedBytes == 0);
    }

    [Fact]
    public async Task A_third_open_upload_is_refused_at_once()
    {
        using var cancel = new CancellationTokenSource();
        using var a = Client.AnalyzeUpload(cancellationToken: cancel.Token);
        using var b = Client.AnalyzeUpload(cancellationToken: cancel.Token);
        await a.RequestStream.WriteAsync(new AnalyzeUploadRequest { Header = new UploadHeader() });
        await b.RequestStream.WriteAsync(new AnalyzeUploadRequest { Header = new UploadHeader() });
        await UntilAsync(g => g.InFlight == 2);

        using var c = Client.AnalyzeUpload();
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await c.ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.NotNull(ex.GetRpcStatus()?.GetDetail<RetryInfo>());

        await cancel.CancelAsync();
        await UntilAsync(g => g.InFlight == 0 && g.BufferedBytes == 0);
    }
}
