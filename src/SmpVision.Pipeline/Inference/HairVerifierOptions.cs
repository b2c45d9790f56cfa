namespace SmpVision.Pipeline.Inference;

/// <summary>
/// Options of the learned hair-candidate verifier (models/README.md is its model card). The
/// verifier scores each detected hair instance with a small ONNX model and drops those scoring
/// under <see cref="MinScore"/>, before density is estimated.
/// </summary>
public sealed record HairVerifierOptions
{
    /// <summary>
    /// Score the detected hairs and drop likely false ones. Default false: on the held-out odd
    /// patients of the real dev set the shipped model did not lower the count error enough to
    /// switch it on (figures in models/README.md); it stays available for opt-in and retraining.
    /// </summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// Path of an ONNX model file to use instead of the embedded default (null = the model
    /// embedded in the assembly, models/hair-verifier.onnx). The file must honour the same I/O
    /// contract: input "features" float [N, 21] in <see cref="HairCandidateFeatures.Names"/> order,
    /// output "score" float [N, 1] in 0-1.
    /// </summary>
    public string? ModelPath { get; init; }

    /// <summary>
    /// Hairs scoring below this are dropped. Default 0.11: the threshold chosen on the even
    /// (training) patients only, as the one minimising their median absolute count error with
    /// out-of-fold scores (models/README.md, Threshold). Change it together with <see cref="ModelPath"/>.
    /// </summary>
    public double MinScore { get; init; } = 0.11;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(MinScore >= 0 && MinScore <= 1))
        {
            errors.Add($"MinScore must lie in [0, 1], got {MinScore}.");
        }

        if (ModelPath is not null && !File.Exists(ModelPath))
        {
            errors.Add($"ModelPath '{ModelPath}' does not exist.");
        }

        return errors;
    }
}
