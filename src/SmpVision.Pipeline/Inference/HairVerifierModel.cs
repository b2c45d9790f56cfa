using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;

namespace SmpVision.Pipeline.Inference;

/// <summary>
/// One loaded hair-verifier model: an ONNX Runtime session shared by the whole process (one per
/// model source, created lazily and thread-safely; InferenceSession.Run is safe to call from
/// several threads). Scores rows of <see cref="HairCandidateFeatures"/> with the OrtValue API,
/// disposing every native value it creates.
/// </summary>
internal sealed class HairVerifierModel : IDisposable
{
    /// <summary>Logical name of the embedded default model (set in the Pipeline csproj).</summary>
    internal const string EmbeddedResourceName = "SmpVision.Pipeline.Inference.hair-verifier.onnx";

    /// <summary>Name and version of the embedded model (models/README.md): bump it when the model is retrained.</summary>
    internal const string EmbeddedModelVersion = "hair-verifier-1";

    /// <summary>Input tensor name of the I/O contract.</summary>
    internal const string InputName = "features";

    /// <summary>Output tensor name of the I/O contract.</summary>
    internal const string OutputName = "score";

    private static readonly ConcurrentDictionary<string, Lazy<HairVerifierModel>> s_models = new(StringComparer.Ordinal);

    private readonly InferenceSession _session;
    private readonly string[] _inputNames = [InputName];
    private readonly string[] _outputNames = [OutputName];

    private HairVerifierModel(byte[] model, string source)
    {
        // One thread each: the service runs on 2 cores and already analyses requests in parallel
        // (threads x concurrent requests = cores, docs/); a ~1 KB MLP over ~30 rows gains nothing
        // from intra-op threads, and ORT's default spins one thread per core.
        using var so = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model, so);
        try
        {
            ValidateContract(_session, source);
        }
        catch
        {
            _session.Dispose();
            throw;
        }

        Source = source;
    }

    /// <summary>Where the model came from: "embedded" or the file path.</summary>
    public string Source { get; }

    /// <summary>
    /// The process-wide model for a path (null = the embedded default). Loaded on first use;
    /// a load failure is not cached, so a fixed file can be retried.
    /// </summary>
    public static HairVerifierModel Get(string? modelPath)
    {
        string key = modelPath is null ? "embedded" : Path.GetFullPath(modelPath);
        var lazy = s_models.GetOrAdd(key, k => new Lazy<HairVerifierModel>(() => Load(modelPath, k), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            s_models.TryRemove(new KeyValuePair<string, Lazy<HairVerifierModel>>(key, lazy));
            throw;
        }
    }

    /// <summary>Loads a model without caching it (tests, tools); the caller disposes it.</summary>
    internal static HairVerifierModel LoadUncached(string? modelPath) => Load(modelPath, modelPath ?? "embedded");

    /// <summary>The embedded default model's bytes.</summary>
    internal static byte[] EmbeddedBytes()
    {
        using var stream = typeof(HairVerifierModel).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"Embedded model '{EmbeddedResourceName}' is missing from the assembly (see models/README.md).");
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>
    /// Scores <paramref name="rowCount"/> feature rows (row-major, <see cref="HairCandidateFeatures.Count"/>
    /// columns): probability in 0-1 that each is a real hair.
    /// </summary>
    public float[] Score(float[] rows, int rowCount)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int f = HairCandidateFeatures.Count;
        if (rows.Length != rowCount * f)
        {
            throw new ArgumentException($"Expected {rowCount} x {f} features, got {rows.Length} values.", nameof(rows));
        }

        if (rowCount == 0)
        {
            return [];
        }

        using var input = OrtValue.CreateTensorValueFromMemory(rows, [rowCount, f]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, _inputNames, [input], _outputNames);
        var scores = outputs[0].GetTensorDataAsSpan<float>();
        if (scores.Length != rowCount)
        {
            throw new InvalidOperationException($"Model '{Source}' returned {scores.Length} scores for {rowCount} rows.");
        }

        return scores.ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private static HairVerifierModel Load(string? modelPath, string source)
    {
        byte[] bytes = modelPath is null ? EmbeddedBytes() : File.ReadAllBytes(modelPath);
        return new HairVerifierModel(bytes, source);
    }

    /// <summary>Checks the I/O contract at load so a wrong model fails with a clear message, not at the first frame.</summary>
    private static void ValidateContract(InferenceSession session, string source)
    {
        int f = HairCandidateFeatures.Count;
        var inputs = session.InputMetadata;
        if (inputs.Count != 1 || !inputs.TryGetValue(InputName, out var input))
        {
            throw new InvalidOperationException($"Hair-verifier model '{source}' must have one input named '{InputName}'; it has: {string.Join(", ", inputs.Keys)}.");
        }

        if (input.ElementType != typeof(float) || input.Dimensions.Length != 2 || input.Dimensions[0] > 0 || input.Dimensions[1] != f)
        {
            throw new InvalidOperationException($"Hair-verifier model '{source}': input '{InputName}' must be float [N, {f}] with a dynamic N; it is {input.ElementType.Name} [{string.Join(", ", input.Dimensions)}].");
        }

        var outputs = session.OutputMetadata;
        if (!outputs.TryGetValue(OutputName, out var output))
        {
            throw new InvalidOperationException($"Hair-verifier model '{source}' must have an output named '{OutputName}'; it has: {string.Join(", ", outputs.Keys)}.");
        }

        if (output.ElementType != typeof(float) || output.Dimensions.Length != 2 || output.Dimensions[0] > 0 || output.Dimensions[1] != 1)
        {
            throw new InvalidOperationException($"Hair-verifier model '{source}': output '{OutputName}' must be float [N, 1] with a dynamic N; it is {output.ElementType.Name} [{string.Join(", ", output.Dimensions)}].");
        }
    }
}
