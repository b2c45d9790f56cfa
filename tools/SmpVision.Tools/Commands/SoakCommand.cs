using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SmpVision.Contracts.V1;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Soak and overload benchmark against a running service (issue 17), not a test: N Analyze
/// requests over one HTTP/2 connection with C in flight, the server's resident memory (VmRSS and
/// peak VmHWM, from /proc/PID) every 500 requests, latency p50/p99 of the answered calls, and the
/// share of each status (RESOURCE_EXHAUSTED is the overload answer, with RetryInfo).
/// </summary>
internal sealed class SoakCommand : IToolCommand
{
    public string Name => "soak";

    public string Usage => "--target URL --pid PID --manifest CSV [--requests N] [--concurrency C] [--deadline-ms D] [--api-key KEY]";

    public int Run(IReadOnlyList<string> args)
    {
        string? target = null, manifest = null, apiKey = null;
        int pid = 0, requests = 3000, concurrency = 1, deadlineMs = 30_000;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--target": target = args[++i]; break;
                case "--pid": pid = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--manifest": manifest = args[++i]; break;
                case "--requests": requests = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--deadline-ms": deadlineMs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--api-key": apiKey = args[++i]; break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: {Name} {Usage}");
                    return 2;
            }
        }

        if (target is null || manifest is null || pid <= 0)
        {
            Console.Error.WriteLine($"Usage: {Name} {Usage}");
            return 2;
        }

        var data = DataManifest.Read(manifest);
        var images = data.Rows.Select(r => (Bytes: ByteString.CopyFrom(File.ReadAllBytes(data.ImagePath(r))), Ppm: data.Number(r, "pixels_per_mm"))).ToList();
        using var channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions { MaxReceiveMessageSize = null, MaxSendMessageSize = null });
        var client = new ScalpAnalysis.ScalpAnalysisClient(channel);
        var headers = apiKey is null ? null : new Metadata { { "x-api-key", apiKey } };
        return RunAsync(client, images, headers, pid, requests, concurrency, deadlineMs).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(ScalpAnalysis.ScalpAnalysisClient client, List<(ByteString Bytes, double? Ppm)> images, Metadata? headers, int pid, int requests, int concurrency, int deadlineMs)
    {
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<StatusCode, int>();
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var next = -1;
        var done = 0;
        Console.WriteLine("requests\tserver_rss_MiB\tserver_peak_MiB\tstatuses");
        Console.WriteLine($"0\t{Proc(pid, "VmRSS:"):0}\t{Proc(pid, "VmHWM:"):0}\t");
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var (bytes, ppm) = images[i % images.Count];
                var request = new AnalyzeRequest { Image = bytes, Options = new AnalysisOptions { Scale = ppm is { } p ? new ScaleOptions { PixelsPerMillimetre = p } : null } };
                var started = Stopwatch.GetTimestamp();
                StatusCode status;
                try
                {
                    await client.AnalyzeAsync(request, headers, DateTime.UtcNow.AddMilliseconds(deadlineMs));
                    status = StatusCode.OK;
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (RpcException ex)
                {
                    status = ex.StatusCode;
                }

                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (Interlocked.Increment(ref done) % 500 == 0)
                {
                    Console.WriteLine($"{done}\t{Proc(pid, "VmRSS:"):0}\t{Proc(pid, "VmHWM:"):0}\t{Summary(statuses)}");
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var sorted = latencies.Order().ToArray();
        double Percentile(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        var exhausted = statuses.GetValueOrDefault(StatusCode.ResourceExhausted);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{requests} requests, concurrency {concurrency}, {clock.Elapsed.TotalSeconds:0.0} s: {Summary(statuses)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency of OK calls: p50 {Percentile(0.50):0} ms, p99 {Percentile(0.99):0} ms; RESOURCE_EXHAUSTED share {exhausted / (double)requests:P1}; server RSS {Proc(pid, "VmRSS:"):0} MiB, peak {Proc(pid, "VmHWM:"):0} MiB"));
        return statuses.Keys.Any(k => k is StatusCode.Internal or StatusCode.Unknown) ? 1 : 0;
    }

    private static string Summary(System.Collections.Concurrent.ConcurrentDictionary<StatusCode, int> statuses) =>
        string.Join(", ", statuses.OrderByDescending(s => s.Value).Select(s => $"{s.Key} {s.Value}"));

    private static double Proc(int pid, string key)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
