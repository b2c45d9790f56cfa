namespace SmpVision.Pipeline.ModalityDetection;

/// <summary>
/// Options of <see cref="ModalityDetector"/>. The cue centres and spreads are the midpoints and
/// half-gaps between a dermoscope field (docs/DOMAIN-SOURCES.md, Imaging modalities: a few mm of evenly lit,
/// shaved scalp) and a whole-head photo (a head on a background, hair masses and shadows). They
/// were set from the dev sets (trichoscopy-dev 300 frames, overhead-dev 18 photos) and leave a
/// margin of about one cue unit on each side of <see cref="DecisionThreshold"/>; a clinic with
/// another dermoscope can override them.
/// </summary>
public sealed record ModalityOptions
{
    /// <summary>Long side, in pixels, of the thumbnail the cues are measured on. Default 256: cues are global, detail is not needed.</summary>
    public int AnalysisLongSidePixels { get; init; } = 256;

    /// <summary>Block-colour spread (mean CIELAB distance of 4x4 block means from their mean) at which the cue is neutral. Default 10.5.</summary>
    public double BlockSpreadCentre { get; init; } = 10.5;

    /// <summary>Block-colour spread per cue unit. Default 2.5.</summary>
    public double BlockSpreadPerUnit { get; init; } = 2.5;

    /// <summary>Centre-versus-border CIELAB distance at which the cue is neutral. Default 11.</summary>
    public double CentreBorderDeltaCentre { get; init; } = 11;

    /// <summary>Centre-versus-border CIELAB distance per cue unit. Default 5.</summary>
    public double CentreBorderDeltaPerUnit { get; init; } = 5;

    /// <summary>L* below which a pixel counts as dark (hair mass, shadow, dark background). Default 25.</summary>
    public double DarkLightness { get; init; } = 25;

    /// <summary>Dark-pixel fraction at which the cue is neutral. Default 0.06 (a lit dermoscope field has few dark pixels).</summary>
    public double DarkFractionCentre { get; init; } = 0.06;

    /// <summary>Dark-pixel fraction per cue unit. Default 0.05.</summary>
    public double DarkFractionPerUnit { get; init; } = 0.05;

    /// <summary>10th-percentile L* at which the cue is neutral (lower means overhead). Default 31.</summary>
    public double Lightness10thPercentileCentre { get; init; } = 31;

    /// <summary>10th-percentile L* per cue unit. Default 6.</summary>
    public double Lightness10thPercentilePerUnit { get; init; } = 6;

    /// <summary>Median L* at which the cue is neutral (lower means overhead). Default 52.</summary>
    public double MedianLightnessCentre { get; init; } = 52;

    /// <summary>Median L* per cue unit. Default 8.</summary>
    public double MedianLightnessPerUnit { get; init; } = 8;

    /// <summary>Each cue is clipped to +/- this many units so that no single cue decides alone. Default 1.5.</summary>
    public double CueClipUnits { get; init; } = 1.5;

    /// <summary>Summed cue score above which the image is overhead. Default -1.0 (dev sets: trichoscopy max -2.0, overhead min -0.05).</summary>
    public double DecisionThreshold { get; init; } = -1.0;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (AnalysisLongSidePixels is < 32 or > 4096)
        {
            errors.Add($"{nameof(AnalysisLongSidePixels)} must be in [32, 4096].");
        }

        foreach (var (name, value) in new[]
                 {
                     (nameof(BlockSpreadPerUnit), BlockSpreadPerUnit), (nameof(CentreBorderDeltaPerUnit), CentreBorderDeltaPerUnit),
                     (nameof(DarkFractionPerUnit), DarkFractionPerUnit), (nameof(Lightness10thPercentilePerUnit), Lightness10thPercentilePerUnit),
                     (nameof(MedianLightnessPerUnit), MedianLightnessPerUnit), (nameof(CueClipUnits), CueClipUnits),
                 })
        {
            if (!(value > 0) || double.IsInfinity(value))
            {
                errors.Add($"{name} must be positive and finite.");
            }
        }

        if (DarkLightness is < 0 or > 100)
        {
            errors.Add($"{nameof(DarkLightness)} must be an L* value in [0, 100].");
        }

        if (double.IsNaN(DecisionThreshold) || double.IsInfinity(DecisionThreshold))
        {
            errors.Add($"{nameof(DecisionThreshold)} must be finite.");
        }

        return errors;
    }
}
