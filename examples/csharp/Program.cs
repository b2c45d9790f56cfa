// SmpVision gRPC client example in C# (Grpc.Net.Client).
//
//   dotnet run --project examples/csharp -c Release -- PHOTO [--ppm 361] [--compare BEFORE AFTER] [--out DIR] [--burst N]
//
// Analyses PHOTO (streamed through AnalyzeUpload when it is large), prints the main figures with
// their units, saves the label map and preview PNGs, runs a Compare, shows the rich error
// details of a refused request, and retries RESOURCE_EXHAUSTED (busy) with backoff.
// SMPVISION_ADDRESS (default localhost:5180) and SMPVISION_API_KEY (sent as x-api-key) are read
// from the environment.
using System.Globalization;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using SmpVision.Contracts.V1;
using SmpVision.Example;

var args0 = ExampleArguments.Parse(args);
var address = Environment.GetEnvironmentVariable("SMPVISION_ADDRESS") ?? "localhost:5180";
// Responses with a label map and preview of a large photo exceed gRPC's 4 MiB default.
using var channel = GrpcChannel.ForAddress("http://" + address, new GrpcChannelOptions { MaxReceiveMessageSize = null, MaxSendMessageSize = null });
var client = new ScalpAnalysis.ScalpAnalysisClient(channel);

var result = await Calls.AnalyzeAsync(client, args0.Photo, args0.Ppm, args0.StreamAboveBytes);
Report.Figures(result);
Report.SavePngs(result, args0.Out);
var small = new FileInfo(args0.Photo).Length <= Calls.UnaryLimitBytes;
var pair = args0.Compare ?? (small ? (args0.Photo, args0.Photo) : null);
if (pair is { } p)
{
    await Calls.CompareAsync(client, p.Before, p.After, args0.ComparePpm ?? args0.Ppm);
}
else
{
    Console.WriteLine($"compare: skipped, {Path.GetFileName(args0.Photo)} is over the 16 MiB unary limit (pass --compare BEFORE AFTER)");
}

await Calls.ShowRichErrorAsync(client);
var ok = args0.Burst == 0 || pair is null || await Calls.BurstAsync(client, pair.Value.Before, args0.ComparePpm ?? args0.Ppm, args0.Burst);
return ok ? 0 : 1;

namespace SmpVision.Example
{
    /// <summary>Command-line arguments.</summary>
    internal sealed record ExampleArguments(string Photo, double? Ppm, double? ComparePpm, (string Before, string After)? Compare, string Out, long StreamAboveBytes, int Burst)
    {
        public static ExampleArguments Parse(string[] args)
        {
            string? photo = null, output = "smpvision-output";
            double? ppm = null, comparePpm = null;
            (string, string)? compare = null;
            double streamAboveMib = 4;
            var burst = 0;
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => args[++i];
                switch (args[i])
                {
                    case "--ppm": ppm = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--compare-ppm": comparePpm = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--compare": compare = (Next(), Next()); break;
                    case "--out": output = Next(); break;
                    case "--stream-above-mib": streamAboveMib = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--burst": burst = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    default: photo = args[i]; break;
                }
            }

            return new ExampleArguments(
                photo ?? throw new ArgumentException("usage: PHOTO [--ppm P] [--compare BEFORE AFTER] [--out DIR] [--burst N]"),
                ppm, comparePpm, compare, output, (long)(streamAboveMib * 1024 * 1024), burst);
        }
    }

    /// <summary>The calls, each with the API key and the busy retry.</summary>
    internal static class Calls
    {
        public const int UnaryLimitBytes = 16 * 1024 * 1024; // the service's default MaxUnaryImageBytes
        private const int ChunkBytes = 1024 * 1024;
        private const string ApiKeyHeader = "x-api-key";

        private static Metadata Headers()
        {
            var headers = new Metadata();
            var key = Environment.GetEnvironmentVariable("SMPVISION_API_KEY");
            if (!string.IsNullOrEmpty(key))
            {
                headers.Add(ApiKeyHeader, key);
            }

            return headers;
        }

        /// <summary>Runs call again on RESOURCE_EXHAUSTED carrying RetryInfo (busy), waiting at least
        /// the hinted delay, doubling, with jitter. Size refusals carry no RetryInfo: not retried.</summary>
        private static async Task<T> WithRetryAsync<T>(Func<Task<T>> call, string what, int attempts = 8)
        {
            var backoff = TimeSpan.FromSeconds(0.5);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await call();
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && attempt < attempts && e.GetRpcStatus()?.GetDetail<RetryInfo>() is { } retry)
                {
                    var hinted = retry.RetryDelay.ToTimeSpan();
#pragma warning disable CA5394 // jitter, not security
                    var wait = (hinted > backoff ? hinted : backoff) * (1 + (Random.Shared.NextDouble() * 0.5));
#pragma warning restore CA5394
                    Console.WriteLine($"retry: {what} got RESOURCE_EXHAUSTED ({e.Status.Detail}); retrying in {wait.TotalSeconds:0.0} s, attempt {attempt + 1}");
                    await Task.Delay(wait);
                    backoff *= 2;
                }
            }
        }

        public static AnalysisOptions Options(double? ppm)
        {
            var options = new AnalysisOptions
            {
                Modality = Modality.Trichoscopy,
                Output = new OutputOptions { ReturnLabelMap = true, ReturnPreviewImage = true },
            };
            if (ppm is { } value)
            {
                options.Scale = new ScaleOptions { PixelsPerMillimetre = value };
            }

            return options;
        }

        public static async Task<AnalyzeResponse> AnalyzeAsync(ScalpAnalysis.ScalpAnalysisClient client, string photo, double? ppm, long streamAboveBytes)
        {
            var image = await File.ReadAllBytesAsync(photo);
            var options = Options(ppm);
            if (image.Length > streamAboveBytes)
            {
                Console.WriteLine($"sent: {Path.GetFileName(photo)}, {image.Length} bytes, streamed through AnalyzeUpload in {(image.Length + ChunkBytes - 1) / ChunkBytes} chunks");
                return await WithRetryAsync(() => UploadAsync(client, options, image), "AnalyzeUpload");
            }

            Console.WriteLine($"sent: {Path.GetFileName(photo)}, {image.Length} bytes, unary Analyze");
            var request = new AnalyzeRequest { Image = ByteString.CopyFrom(image), Options = options };
            return await WithRetryAsync(async () => await client.AnalyzeAsync(request, Headers()), "Analyze");
        }

        private static async Task<AnalyzeResponse> UploadAsync(ScalpAnalysis.ScalpAnalysisClient client, AnalysisOptions options, byte[] image)
        {
            using var call = client.AnalyzeUpload(Headers());
            await call.RequestStream.WriteAsync(new AnalyzeUploadRequest { Header = new UploadHeader { Options = options, TotalSizeBytes = (ulong)image.Length } });
            for (var offset = 0; offset < image.Length; offset += ChunkBytes)
            {
                var chunk = ByteString.CopyFrom(image, offset, Math.Min(ChunkBytes, image.Length - offset));
                await call.RequestStream.WriteAsync(new AnalyzeUploadRequest { Chunk = chunk });
            }

            await call.RequestStream.CompleteAsync();
            return await call;
        }

        public static async Task CompareAsync(ScalpAnalysis.ScalpAnalysisClient client, string before, string after, double? ppm)
        {
            var request = new CompareRequest
            {
                BeforeImage = ByteString.CopyFrom(await File.ReadAllBytesAsync(before)),
                AfterImage = ByteString.CopyFrom(await File.ReadAllBytesAsync(after)),
                Options = Options(ppm),
            };
            try
            {
                var c = await WithRetryAsync(async () => await client.CompareAsync(request, Headers()), "Compare");
                var h = c.Overall.Hairs;
                Console.WriteLine($"compare: registration {c.Registration.Method}, {c.Registration.InlierCount} inliers, common area {c.CommonAreaFractionOfBefore:0.00} of before (fraction)");
                Console.WriteLine($"compare: hairs {h.BeforeCount} -> {h.AfterCount} (difference {h.Difference:+0;-0;+0} +- {h.DifferenceStandardErrorCount:0.0} hairs, {Report.EnumName(h.Significance)})");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                var info = e.GetRpcStatus()?.GetDetail<ErrorInfo>();
                Console.WriteLine($"compare: refused, FAILED_PRECONDITION {info?.Reason}: {e.Status.Detail}");
            }
        }

        public static async Task ShowRichErrorAsync(ScalpAnalysis.ScalpAnalysisClient client)
        {
            var request = new AnalyzeRequest { Image = ByteString.CopyFromUtf8("not an image"), Options = new AnalysisOptions { Scale = new ScaleOptions { PixelsPerMillimetre = -5 } } };
            try
            {
                await client.AnalyzeAsync(request, Headers());
                Console.WriteLine("error: the invalid request was accepted");
            }
            catch (RpcException e)
            {
                Console.WriteLine($"refused: {Report.CodeName(e.StatusCode)}: {e.Status.Detail}");
                foreach (var v in e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations ?? [])
                {
                    Console.WriteLine($"field violation: {v.Field}: {v.Description}");
                }
            }
        }

        public static async Task<bool> BurstAsync(ScalpAnalysis.ScalpAnalysisClient client, string photo, double? ppm, int count)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
            {
                try
                {
                    await AnalyzeAsync(client, photo, ppm, long.MaxValue);
                    return true;
                }
                catch (RpcException e)
                {
                    Console.WriteLine($"burst: failed with {Report.CodeName(e.StatusCode)}: {e.Status.Detail}");
                    return false;
                }
            }));
            Console.WriteLine($"burst: {results.Count(r => r)}/{count} succeeded");
            return results.All(r => r);
        }
    }

    /// <summary>Console output and files.</summary>
    internal static class Report
    {
        /// <summary>The proto name of an enum value (e.g. MODALITY_TRICHOSCOPY).</summary>
        public static string EnumName<T>(T value)
            where T : struct, Enum =>
            typeof(T).GetField(value.ToString())?.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
                .OfType<Google.Protobuf.Reflection.OriginalNameAttribute>().FirstOrDefault()?.Name ?? value.ToString();

        /// <summary>The gRPC name of a status code (e.g. INVALID_ARGUMENT).</summary>
        public static string CodeName(StatusCode code) =>
            string.Concat(code.ToString().Select((ch, i) => i > 0 && char.IsUpper(ch) ? "_" + ch : ch.ToString())).ToUpperInvariant();

        public static void Figures(AnalyzeResponse r)
        {
            var m = r.Measurements;
            Console.WriteLine($"image: {r.Image.WidthPixels} x {r.Image.HeightPixels} pixels, {r.Image.Format}");
            Console.WriteLine($"modality: {EnumName(r.Modality)} (detected: {(r.ModalityDetected ? "true" : "false")})");
            var scale = r.Scale.HasPixelsPerMillimetre ? $"{r.Scale.PixelsPerMillimetre:0.0} px/mm" : "none (fractions only)";
            Console.WriteLine($"scale: {scale}, source {EnumName(r.Scale.Source)}");
            Console.WriteLine($"hairs: {m.HairCount} counted, {m.FollicularUnitCount} follicular units, coverage {m.HairCoverageFraction:0.000} (fraction)");
            if (m.HasHairsPerSquareCentimetre)
            {
                Console.WriteLine($"hair density: {m.HairsPerSquareCentimetre:0.0} +- {m.HairsPerSquareCentimetreStandardError:0.0} hairs/cm2");
                Console.WriteLine($"follicular unit density: {m.FollicularUnitsPerSquareCentimetre:0.0} +- {m.FollicularUnitsPerSquareCentimetreStandardError:0.0} FU/cm2");
                Console.WriteLine($"analysed area: {m.AnalysedAreaSquareMillimetres:0.0} mm2");
            }

            if (m.HasMeanShaftWidthMicrometres)
            {
                Console.WriteLine($"mean shaft width: {m.MeanShaftWidthMicrometres:0.0} um");
            }

            if (m.Colour?.HasSkinItaDegrees == true)
            {
                Console.WriteLine($"skin: L* {m.Colour.Skin.L:0.0}, ITA {m.Colour.SkinItaDegrees:0.0} degrees");
            }

            Console.WriteLine($"quality confidence: {r.Quality.Confidence:0.00} (0-1)");
            Console.WriteLine($"warnings: {(r.Warnings.Count == 0 ? "none" : string.Join(", ", r.Warnings.Select(w => w.Code)))}");
        }

        public static void SavePngs(AnalyzeResponse r, string output)
        {
            Directory.CreateDirectory(output);
            foreach (var (name, data) in new[] { ("label_map.png", r.LabelMap?.Png), ("preview.png", r.PreviewPng) })
            {
                if (data is { Length: > 0 })
                {
                    var file = Path.Combine(output, name);
                    File.WriteAllBytes(file, data.ToByteArray());
                    Console.WriteLine($"saved: {file} ({data.Length} bytes)");
                }
            }
        }
    }
}
