using System.Diagnostics.Metrics;
using Google.Protobuf;
using Grpc.Core;
using SmpVision.Contracts.V1;

namespace SmpVision.Service.Tests;

[Collection(ServiceCollection.Name)]
public sealed class ObservabilityTests(ServiceFixture service)
{
    private ScalpAnalysis.ScalpAnalysisClient Client => new(service.Channel);

    [Fact]
    public async Task Requests_and_pipeline_stages_are_measured()
    {
        var requests = 0L;
        var stages = new HashSet<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "SmpVision")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "smpvision.rpc.requests")
            {
                Interlocked.Add(ref requests, value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            if (instrument.Name == "smpvision.pipeline.stage.duration")
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "stage" && tag.Value is string s)
                    {
                        lock (stages)
                        {
                            stages.Add(s);
                        }
                    }
                }
            }
        });
        listener.Start();

        await Client.AnalyzeAsync(new AnalyzeRequest
        {
            Image = ByteString.CopyFrom(TestImages.ScalpLikePng()),
            Options = new AnalysisOptions { Modality = Modality.Trichoscopy, Scale = new ScaleOptions { PixelsPerMillimetre = 180 } },
        });

        Assert.True(Interlocked.Read(ref requests) >= 1);
        lock (stages)
        {
            Assert.Contains("decode", stages);
            Assert.Contains("planning", stages);
        }
    }
}
