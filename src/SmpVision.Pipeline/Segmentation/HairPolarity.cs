namespace SmpVision.Pipeline.Segmentation;

/// <summary>Whether a frame's hair shafts are darker or lighter than its skin.</summary>
public enum HairPolarity
{
    /// <summary>Shafts darker than the skin (black, brown hair; blond or grey hair on light skin).</summary>
    Dark = 0,

    /// <summary>Shafts lighter than the skin (blond, grey, white hair on brown or dark skin).</summary>
    Light = 1,
}
