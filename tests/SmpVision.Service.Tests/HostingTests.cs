using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace SmpVision.Service.Tests;

[Collection(ServiceCollection.Name)]
public sealed class HostingTests(ServiceFixture service)
{
    [Fact]
    public async Task Health_reports_serving_once_the_pipeline_is_warm()
    {
        await service.WaitUntilServingAsync();
        var health = new Health.HealthClient(service.Channel);
        var reply = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_lists_and_describes_the_service_without_the_proto()
    {
        var client = new ServerReflection.ServerReflectionClient(service.Channel);
        using var call = client.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("smpvision.v1.ScalpAnalysis", names);
        Assert.Contains("grpc.health.v1.Health", names);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "smpvision.v1.ScalpAnalysis" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(b => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(b))
            .ToList();
        var service1 = files.SelectMany(f => f.Service).Single(s => s.Name == "ScalpAnalysis");
        Assert.Equal(["Analyze", "AnalyzeHead", "AnalyzeUpload", "Compare"], service1.Method.Select(m => m.Name).Order().ToArray());
        await call.RequestStream.CompleteAsync();
    }
}
