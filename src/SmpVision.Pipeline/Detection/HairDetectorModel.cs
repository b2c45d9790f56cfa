using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;

namespace SmpVision.Pipeline.Detection;

/// <summary>Raw outputs of one detector run, at the output grid (input / <see cref="HairDetectorModel.OutputStride"/>).</summary>
/// <param name="Width">Output grid width in cells.</param>
/// <param name="Height">Output grid height in cells.</param>
/// <param name="HairCentre">Hair-centre score per cell (row-major), 0-1.</param>
/// <param name="UnitCentre">Follicular-unit-centre score per cell, 0-1.</param>
/// <param name="LogBoxWidth">Log of the hair box width in cells, read at a hair centre.</param>
/// <param name="LogBoxHeight">Log of the hair box height in cells.</param>
/// <param name="Shaft">Shaft-pixel probability per cell, 0-1.</param>
internal sealed record DetectorOutputs(int Width, int Height, float[] HairCentre, float[] UnitCentre, float[] LogBoxWidth, float[] LogBoxHeight, float[] Shaft);

/// <summary>
/// The learned hair detector's ONNX model: one InferenceSession per model source per process
/// (InferenceSession.Run is thread-safe), created lazily, its I/O contract and metadata checked at
/// load so that a wrong file fails with a clear message. Runs with the OrtValue API and disposes
/// every native value; cancellation reaches a running inference through RunOptions.Terminate.
/// </summary>
internal sealed class HairDetectorModel : IDisposable
{
    internal const string EmbeddedResourceName = "SmpVision.Pipeline.Detection.hair-detector.onnx";
    internal const string InputName = "image";
    internal static readonly string[] OutputNames = ["heatmap", "size", "shaft"];

    private static readonly ConcurrentDictionary<string, Lazy<HairDetectorModel>> s_models = new(StringComparer.Ordinal);
    private readonly InferenceSession _session;
    private readonly string[] _inputNames = [InputName];

    private HairDetectorModel(byte[] bytes, string source, int intraOpThreads)
    {
        using var so = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(bytes, so);
        try
        {
            ValidateContract(source);
            var meta = _session.ModelMetadata.CustomMetadataMap;
            Name = Meta(meta, "smpvision.model", source);
            InputPixelsPerMillimetre = double.Parse(Meta(meta, "smpvision.input_pixels_per_mm", source), CultureInfo.InvariantCulture);
            OutputStride = int.Parse(Meta(meta, "smpvision.output_stride", source), CultureInfo.InvariantCulture);
            HairThreshold = double.Parse(Meta(meta, "smpvision.hair_threshold", source), CultureInfo.InvariantCulture);
            UnitThreshold = double.Parse(Meta(meta, "smpvision.unit_threshold", source), CultureInfo.InvariantCulture);
            TestTimeAugmentation = meta.TryGetValue("smpvision.test_time_augmentation", out var tta) ? tta : "none";
            if (TestTimeAugmentation is not ("none" or "d4"))
            {
                throw new InvalidOperationException($"Hair-detector model '{source}': test_time_augmentation '{TestTimeAugmentation}' is neither 'none' nor 'd4'.");
            }
            if (!(InputPixelsPerMillimetre > 0) || OutputStride is < 1 or > 16)
            {
                throw new InvalidOperationException($"Hair-detector model '{source}': metadata input_pixels_per_mm {InputPixelsPerMillimetre} / output_stride {OutputStride} out of range.");
            }
        }
        catch
        {
            _session.Dispose();
            throw;
        }

        Source = source;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Where the model came from: "embedded" or the file path.</summary>
    public string Source { get; }

    /// <summary>Model name and version from its metadata (e.g. hair-detector-1).</summary>
    public string Name { get; }

    /// <summary>SHA-256 of the model file, lower-case hex (named in versions.model).</summary>
    public string Sha256 { get; }

    /// <summary>Scale of the input the model was trained on, in input pixels per millimetre.</summary>
    public double InputPixelsPerMillimetre { get; }

    /// <summary>Input pixels per output cell.</summary>
    public int OutputStride { get; }

    /// <summary>The trainer's hair-centre threshold.</summary>
    public double HairThreshold { get; }

    /// <summary>The trainer's unit-centre threshold.</summary>
    public double UnitThreshold { get; }

    /// <summary>How the thresholds were calibrated and so how the model is run: "none" (one run) or "d4" (outputs averaged over the 8 rotations and flips).</summary>
    public string TestTimeAugmentation { get; }

    /// <summary>"name@sha256-prefix": what versions.model reports.</summary>
    public string Identifier => $"{Name}@sha256:{Sha256}";

    /// <summary>The process-wide model for a path (null = embedded). A load failure is not cached.</summary>
    public static HairDetectorModel Get(string? modelPath, int intraOpThreads = 1)
    {
        string key = (modelPath is null ? "embedded" : Path.GetFullPath(modelPath)) + "|" + intraOpThreads.ToString(CultureInfo.InvariantCulture);
        var lazy = s_models.GetOrAdd(key, _ => new Lazy<HairDetectorModel>(() => Load(modelPath, intraOpThreads), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            s_models.TryRemove(new KeyValuePair<string, Lazy<HairDetectorModel>>(key, lazy));
            throw;
        }
    }

    /// <summary>Loads a model without caching it (tests); the caller disposes it.</summary>
    internal static HairDetectorModel LoadUncached(string? modelPath) => Load(modelPath, 1);

    /// <summary>
    /// Runs the network on a normalised RGB planar tensor [1, 3, height, width] (height and width
    /// multiples of 8). Cancellation terminates the run; the token is then thrown.
    /// </summary>
    public DetectorOutputs Run(float[] nchw, int height, int width, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(nchw);
        if (height % 8 != 0 || width % 8 != 0 || nchw.Length != 3 * height * width)
        {
            throw new ArgumentException($"Input must be [1, 3, H, W] with H, W multiples of 8; got {nchw.Length} values for {height} x {width}.", nameof(nchw));
        }

        ct.ThrowIfCancellationRequested();
        using var input = OrtValue.CreateTensorValueFromMemory(nchw, [1, 3, height, width]);
        using var runOptions = new RunOptions();
        using var registration = ct.Register(() => runOptions.Terminate = true);
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(runOptions, _inputNames, [input], OutputNames);
        }
        catch (OnnxRuntimeException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }

        using (outputs)
        {
            int h2 = height / OutputStride, w2 = width / OutputStride, n = h2 * w2;
            var heat = Read(outputs[0], 2 * n, "heatmap");
            var size = Read(outputs[1], 2 * n, "size");
            var shaft = Read(outputs[2], n, "shaft");
            return new DetectorOutputs(w2, h2, heat[..n], heat[n..], size[..n], size[n..], shaft);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private float[] Read(OrtValue value, int expected, string name)
    {
        var span = value.GetTensorDataAsSpan<float>();
        if (span.Length != expected)
        {
            throw new InvalidOperationException($"Hair-detector model '{Source}' returned {span.Length} values for '{name}', expected {expected}.");
        }

        return span.ToArray();
    }

    private static HairDetectorModel Load(string? modelPath, int intraOpThreads)
    {
        byte[] bytes = modelPath is null ? EmbeddedBytes() : File.ReadAllBytes(modelPath);
        return new HairDetectorModel(bytes, modelPath ?? "embedded", intraOpThreads);
    }

    /// <summary>The embedded default model's bytes.</summary>
    internal static byte[] EmbeddedBytes()
    {
        using var stream = typeof(HairDetectorModel).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"Embedded model '{EmbeddedResourceName}' is missing from the assembly (see models/README.md).");
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return ms.ToArray();
    }

    private static string Meta(Dictionary<string, string> meta, string key, string source) =>
        meta.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v)
            ? v
            : throw new InvalidOperationException($"Hair-detector model '{source}' lacks the metadata entry '{key}' (models/README.md, I/O contract).");

    private void ValidateContract(string source)
    {
        var inputs = _session.InputMetadata;
        if (inputs.Count != 1 || !inputs.TryGetValue(InputName, out var input) || input.ElementType != typeof(float)
            || input.Dimensions.Length != 4 || input.Dimensions[1] != 3)
        {
            throw new InvalidOperationException($"Hair-detector model '{source}' must have one float input '{InputName}' [1, 3, H, W]; it has: {string.Join(", ", inputs.Keys)}.");
        }

        var outputs = _session.OutputMetadata;
        int[] channels = [2, 2, 1];
        for (int i = 0; i < OutputNames.Length; i++)
        {
            if (!outputs.TryGetValue(OutputNames[i], out var o) || o.ElementType != typeof(float) || o.Dimensions.Length != 4 || o.Dimensions[1] != channels[i])
            {
                throw new InvalidOperationException($"Hair-detector model '{source}' must have a float output '{OutputNames[i]}' [1, {channels[i]}, H/s, W/s]; it has: {string.Join(", ", outputs.Keys)}.");
            }
        }
    }
}
