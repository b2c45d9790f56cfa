using CsCheck;
using Google.Protobuf;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Service.Grpc;
using SmpVision.Service.Mapping;
using V1 = SmpVision.Contracts.V1;

namespace SmpVision.Service.Tests.Fuzzing;

/// <summary>
/// Property-based fuzzing (CsCheck) of the three places hostile bytes reach first: the header
/// reader, the decoder, and the request mapper (with the protobuf parser and the string bounds
/// in front of it). Each runs for a bounded time (SMPVISION_FUZZ_SECONDS, default 8 s per
/// target) after replaying the seeds in seeds.txt. The property: only the documented refusal
/// exception escapes, never anything that would become INTERNAL.
/// </summary>
public sealed class FuzzTests
{
    private static readonly int Seconds = int.TryParse(Environment.GetEnvironmentVariable("SMPVISION_FUZZ_SECONDS"), out var s) && s > 0 ? s : 8;

    private static readonly List<(string Name, byte[] Bytes)> Bases = HostileCorpus.Bases();

    /// <summary>A base image with 1-16 mutations: bit flips, byte overwrites with extreme values, cuts, splices, insertions.</summary>
    private static readonly Gen<byte[]> MutatedImage =
        Gen.Select(Gen.Int[0, Bases.Count - 1], Gen.Select(Gen.Int[0, 4], Gen.Int, Gen.Byte).Array[1, 16])
            .Select(t => Mutate(Bases[t.Item1].Bytes, t.Item2));

    private static byte[] Mutate(byte[] source, (int Op, int Position, byte Value)[] mutations)
    {
        var bytes = new List<byte>(source);
        foreach (var (op, position, value) in mutations)
        {
            if (bytes.Count == 0)
            {
                break;
            }

            // Bias half the mutations into the first 64 bytes, where headers live.
            var at = (position & 1) == 0 ? (position >>> 1) % Math.Min(64, bytes.Count) : (position >>> 1) % bytes.Count;
            switch (op)
            {
                case 0: bytes[at] ^= (byte)(1 << (value & 7)); break;
                case 1: bytes[at] = value is < 128 ? (byte)0xFF : (byte)0x00; break;
                case 2: bytes.RemoveRange(at, bytes.Count - at); break;
                case 3: bytes.InsertRange(at, Enumerable.Repeat(value, 1 + (value & 15))); break;
                default: bytes.RemoveRange(at, Math.Min(1 + (value & 63), bytes.Count - at)); break;
            }
        }

        return [.. bytes];
    }

    private static IEnumerable<string> SeedsFor(string target) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fuzzing", "seeds.txt"))
            .Where(l => l.StartsWith(target + " ", StringComparison.Ordinal))
            .Select(l => l[(target.Length + 1)..].Trim());

    /// <summary>Replays the stored seeds, then samples for the time budget.</summary>
    private static void Fuzz<T>(string target, Gen<T> gen, Action<T> property, Func<T, string>? print = null)
    {
        foreach (var seed in SeedsFor(target))
        {
            gen.Sample(property, seed: seed, iter: 1, print: print);
        }

        gen.Sample(property, time: Seconds, print: print);
    }

    [Fact]
    public void Header_reader_only_refuses_with_invalid_image() =>
        Fuzz("header", MutatedImage, bytes =>
        {
            try
            {
                ImageDecoder.Inspect(bytes, new DecodingOptions());
            }
            catch (InvalidImageException)
            {
            }
        }, b => Convert.ToHexString(b.AsSpan(0, Math.Min(64, b.Length))));

    /// <summary>
    /// KNOWN DEFECT (issue 17), found by this target on 2026-12-08: within its 8 s budget it
    /// crashes the test host natively in 2 of 3 runs (mutated PNG, JPEG and TIFF inputs, the last
    /// messages from libpng/libjpeg/libtiff via OpenCV), so a crafted photo can take the process
    /// down. Skipped in CI until decoding is isolated or the faulting path is found, so that CI
    /// is not red at random; run it by hand with the Skip removed to reproduce.
    /// </summary>
    [Fact(Skip = "Known defect (issue 17): mutated images crash the process natively in decoding; see the comment.")]
    public void Decoder_only_refuses_with_invalid_image()
    {
        // A tight byte budget keeps each sample small; the property is about what escapes.
        var options = new DecodingOptions { MaxDecodedBytes = 8L << 20, MaxAnalysisPixels = 1_000_000 };
        Fuzz("decoder", MutatedImage, bytes =>
        {
            try
            {
                using var image = ImageDecoder.Decode(bytes, options);
                Assert.True(image.WidthPixels > 0 && image.HeightPixels > 0);
            }
            catch (InvalidImageException)
            {
            }
        }, b => Convert.ToHexString(b.AsSpan(0, Math.Min(64, b.Length))));
    }

    private static readonly Gen<double> AnyDouble = Gen.OneOf(
        Gen.Double, Gen.Double[-1e6, 1e6],
        Gen.OneOf(new[] { 0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, 5e-324, 1e-300, 1e300, 0.5, 20, 100, 2000, 100_000 }));

    private static readonly Gen<string> AnyString = Gen.OneOf(
        Gen.String[0, 80], Gen.Char.AlphaNumeric.Array[0, 40].Select(c => new string(c)),
        Gen.Int[0, 40_000].Select(n => new string('x', n)), Gen.OneOf(new[] { "trichoscope-70x", "phototrichogram-15x", " ", "" }));

    private static readonly Gen<V1.AnalysisOptions> AnyOptions =
        Gen.Select(Gen.Int[-2, 5], Gen.Int[-2, 12], Gen.Int[0, 3], AnyDouble, AnyString, AnyDouble, AnyDouble, AnyDouble.Array[0, 12])
            .SelectMany(t => Gen.Select(Gen.Int[-3, 20], Gen.Bool, AnyDouble, Gen.Int[-1, 6]).Select(u => Options(t, u)));

    private static V1.AnalysisOptions Options(
        (int Modality, int Zone, int ScaleKind, double Ppm, string Device, double Magnification, double Uncertainty, double[] Fractions) t,
        (int Session, bool Force, double Reference, int Edge) u)
    {
        var scale = t.ScaleKind switch
        {
            1 => new V1.ScaleOptions { PixelsPerMillimetre = t.Ppm },
            2 => new V1.ScaleOptions { Device = new V1.DeviceProfileReference { DeviceId = t.Device, Magnification = t.Magnification } },
            3 => new V1.ScaleOptions { PixelsPerMillimetre = t.Ppm, RelativeUncertainty = t.Uncertainty },
            _ => null,
        };
        var planning = new V1.PlanningOptions { SessionNumber = (uint)Math.Max(0, u.Session), ForceReferenceOverride = u.Force, HairlineEdge = (V1.HairlineEdge)u.Edge, HairlineFeatherWidthMillimetres = t.Magnification };
        planning.SessionCumulativeFractions.AddRange(t.Fractions);
        if (u.Reference != 0)
        {
            planning.ReferenceFollicularUnitsPerSquareCentimetre = u.Reference;
        }

        return new V1.AnalysisOptions { Modality = (V1.Modality)t.Modality, Zone = (V1.ScalpZone)t.Zone, Scale = scale, Planning = planning };
    }

    [Fact]
    public void Request_mapper_and_scale_resolution_only_refuse_with_invalid_request() =>
        Fuzz("mapper", AnyOptions, options =>
        {
            try
            {
                var request = RequestMapper.ToPipeline(options);
                var limits = new ScaleLimits();
                var scale = ScaleResolver.Resolve(request.Scale, DeviceProfile.BuiltIn, limits);
                limits.CheckFor(scale, request.Modality, detected: false);
            }
            catch (InvalidRequestException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Field));
                Assert.True(ex.Message.Length < 1024, "an error message stays bounded whatever the input");
            }
        }, o => o.ToString().Length > 300 ? o.ToString()[..300] : o.ToString());

    [Fact]
    public void Protobuf_bodies_parse_or_are_refused_and_parsed_ones_are_mapped_or_refused()
    {
        var valid = AnyOptions.Select(o => new V1.AnalyzeRequest { Image = ByteString.CopyFrom(1, 2, 3), Options = o }.ToByteArray());
        var bodies = Gen.Select(valid, Gen.Select(Gen.Int[0, 4], Gen.Int, Gen.Byte).Array[0, 6]).Select(t => Mutate(t.Item1, t.Item2));
        Fuzz("protobuf", bodies, body =>
        {
            V1.AnalyzeRequest request;
            try
            {
                request = V1.AnalyzeRequest.Parser.ParseFrom(body);
            }
            catch (Exception ex) when (ex is InvalidProtocolBufferException or System.Text.DecoderFallbackException)
            {
                return; // the guarded deserializer answers these INVALID_ARGUMENT
            }

            _ = RequestStringBounds.FirstViolation(request, 4096);
            try
            {
                RequestMapper.ToPipeline(request.Options);
            }
            catch (InvalidRequestException)
            {
            }
        }, b => Convert.ToHexString(b.AsSpan(0, Math.Min(64, b.Length))));
    }
}
