using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Analysis;

/// <summary>Before/after comparison: both analyses, the registration and the change.</summary>
/// <param name="Before">Analysis of the before photo.</param>
/// <param name="After">Analysis of the after photo.</param>
/// <param name="Change">Registration, change over the common area (with count noise), change map.</param>
/// <param name="Warnings">Warnings of the comparison itself.</param>
/// <param name="Timings">Stage timings of the comparison (each analysis has its own).</param>
public sealed record ComparisonAnalysisResult(
    ScalpAnalysisResult Before,
    ScalpAnalysisResult After,
    ChangeResult Change,
    IReadOnlyList<PipelineWarning> Warnings,
    IReadOnlyList<StageTiming> Timings);

/// <summary>The two photos cannot be compared (not alignable, different modality or scale): the reason says why.</summary>
public sealed class ComparisonRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ComparisonRefusedException(RegistrationRefusal refusal, string message)
        : base(message) => Refusal = refusal;

    /// <summary>Creates the exception.</summary>
    public ComparisonRefusedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ComparisonRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ComparisonRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why registration refused.</summary>
    public RegistrationRefusal Refusal { get; }
}
