namespace SmpVision.Pipeline.Calibration;

/// <summary>
/// The printed ArUco marker that gives an overhead photo its scale (docs/DOMAIN-SOURCES.md, Imaging modalities:
/// "scale comes from a printed marker of known size in the frame, or is absent").
/// What to print: marker <see cref="MarkerId"/> (default 0) of the OpenCV dictionary DICT_4X4_50,
/// black square side <see cref="SideLengthMillimetres"/> (default 30 mm) measured on the print,
/// with a white quiet zone of at least one cell (7.5 mm) all round, on matte paper (gloss glares).
/// Hold or tape it flat at scalp height, roughly facing the camera: a marker nearer the lens
/// than the scalp makes the scalp look smaller in mm.
/// </summary>
public sealed record MarkerOptions
{
    /// <summary>Marker id within DICT_4X4_50 to accept; -1 accepts any id. Default 0.</summary>
    public int MarkerId { get; init; }

    /// <summary>Printed side of the black marker square in millimetres. Default 30.</summary>
    public double SideLengthMillimetres { get; init; } = 30;

    /// <summary>Long side, in pixels, the image is reduced to before the search (keeps 12-MP photos fast). Default 1600.</summary>
    public int SearchLongSidePixels { get; init; } = 1600;

    /// <summary>Smallest accepted marker side in search pixels; smaller markers give too coarse a scale. Default 16.</summary>
    public double MinSidePixels { get; init; } = 16;

    /// <summary>
    /// Relative 1-sigma uncertainty reported with the scale. Default 0.05: a few-percent corner error
    /// plus the height difference between marker and scalp; raise it for hand-held markers.
    /// </summary>
    public double RelativeUncertainty { get; init; } = 0.05;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (MarkerId is < -1 or >= 50)
        {
            e.Add($"{nameof(MarkerId)} must be -1 (any) or an id of DICT_4X4_50 (0-49).");
        }

        if (!(SideLengthMillimetres > 0 && SideLengthMillimetres < 1000))
        {
            e.Add($"{nameof(SideLengthMillimetres)} must be in (0, 1000).");
        }

        if (SearchLongSidePixels is < 256 or > 10000)
        {
            e.Add($"{nameof(SearchLongSidePixels)} must be in [256, 10000].");
        }

        if (!(MinSidePixels >= 8))
        {
            e.Add($"{nameof(MinSidePixels)} must be at least 8.");
        }

        if (!(RelativeUncertainty >= 0 && RelativeUncertainty < 1))
        {
            e.Add($"{nameof(RelativeUncertainty)} must be in [0, 1).");
        }

        return e;
    }
}
