using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SmpVision.Pipeline.Imaging;
using SmpVision.Service.Errors;
using SmpVision.Service.Telemetry;

namespace SmpVision.Service.Tests;

/// <summary>
/// The interceptor's mapping, driven directly: deterministic where an end-to-end deadline test
/// would race the in-process transport.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class ErrorMappingTests(ServiceFixture service)
{
    private ErrorMappingInterceptor Interceptor => new(service.Services.GetRequiredService<SmpVisionMetrics>(), NullLogger<ErrorMappingInterceptor>.Instance);

    private Task<object> Call(DateTime deadline, Exception thrown) =>
        Interceptor.UnaryServerHandler<object, object>(new object(), new FakeContext(deadline), (_, _) => throw thrown);

    [Fact]
    public async Task Cancellation_after_the_deadline_is_deadline_exceeded()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Call(DateTime.UtcNow.AddSeconds(-1), new OperationCanceledException()));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Cancellation_before_the_deadline_is_cancelled()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Call(DateTime.UtcNow.AddMinutes(5), new OperationCanceledException()));
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task Unexpected_failures_are_internal_without_internals()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Call(DateTime.MaxValue, new InvalidOperationException("secret stack detail")));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.DoesNotContain("secret", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("reference", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_errors_name_their_field()
    {
        var error = new InvalidImageException(ImageErrorKind.Corrupt, "damaged").ForField("before_image");
        await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "before_image", () => Call(DateTime.MaxValue, error));
    }

    private sealed class FakeContext(DateTime deadline) : ServerCallContext
    {
        protected override string MethodCore => "/smpvision.v1.ScalpAnalysis/Analyze";

        protected override string HostCore => "localhost";

        protected override string PeerCore => "ipv4:127.0.0.1:1";

        protected override DateTime DeadlineCore => deadline;

        protected override Metadata RequestHeadersCore => [];

        protected override CancellationToken CancellationTokenCore => CancellationToken.None;

        protected override Metadata ResponseTrailersCore => [];

        protected override Status StatusCore { get; set; }

        protected override WriteOptions? WriteOptionsCore { get; set; }

        protected override AuthContext AuthContextCore => new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
