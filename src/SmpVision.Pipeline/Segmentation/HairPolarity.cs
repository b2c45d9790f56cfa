namespace SmpVision.Pipeline.Segmentation;

/// <summary>Whether a frame's hair shafts are darker or lighter than its skin, or differ from it mainly in colour.</summary>
public enum HairPolarity
{
    /// <summary>Shafts darker than the skin (black, brown hair; blond or grey hair on light skin).</summary>
    Dark = 0,

    /// <summary>Shafts lighter than the skin (blond, grey, white hair on brown or dark skin).</summary>
    Light = 1,

    /// <summary>
    /// Shafts of nearly the skin's lightness that differ from it mainly in chroma (grey or white
    /// hair on pink-orange skin), found by the segmentation's chroma path when neither polarity
    /// shows shaft evidence (<see cref="HairSegmentationOptions.ChromaMaxDarkEvidence"/>).
    /// Reported only: the shafts are measured as dark ones.
    /// </summary>
    Colour = 2,
}
