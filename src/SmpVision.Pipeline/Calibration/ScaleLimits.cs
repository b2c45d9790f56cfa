using System.Globalization;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Calibration;

/// <summary>
/// Physically plausible pixels per millimetre for each modality. A caller's scale outside them is
/// refused: an absurd scale (1e-300 px/mm once gave an area of Infinity and 200,000 planned dots
/// after 19 s; 5e-324 broke a blur kernel) measures nothing real.
/// </summary>
public sealed record ScaleLimits
{
    /// <summary>
    /// Lowest trichoscopy scale. Default 20 px/mm: a 60 um hair shaft (DOMAIN-SOURCES.md: terminal
    /// shafts 60-100 um) is then just over one pixel wide, and a 1280 px frame spans 64 mm, wider
    /// than any dermoscope field (10x handheld: ~25 mm).
    /// </summary>
    public double TrichoscopyMinPixelsPerMillimetre { get; init; } = 20;

    /// <summary>
    /// Highest trichoscopy scale. Default 2000 px/mm (0.5 um per pixel, the resolution limit of
    /// visible-light optics); a 1280 px frame then spans 0.64 mm, less than one follicular unit spacing.
    /// </summary>
    public double TrichoscopyMaxPixelsPerMillimetre { get; init; } = 2000;

    /// <summary>
    /// Lowest overhead scale. Default 0.5 px/mm: a 200 mm head then spans 100 px, the least that
    /// shows a hairline at all.
    /// </summary>
    public double OverheadMinPixelsPerMillimetre { get; init; } = 0.5;

    /// <summary>
    /// Highest overhead scale. Default 100 px/mm: a 4000 px photo then spans 40 mm, a close-up of
    /// a patch rather than a head (use trichoscopy for that).
    /// </summary>
    public double OverheadMaxPixelsPerMillimetre { get; init; } = 100;

    /// <summary>Lowest scale of any modality (checked before the modality is known).</summary>
    public double MinPixelsPerMillimetre => Math.Min(TrichoscopyMinPixelsPerMillimetre, OverheadMinPixelsPerMillimetre);

    /// <summary>Highest scale of any modality.</summary>
    public double MaxPixelsPerMillimetre => Math.Max(TrichoscopyMaxPixelsPerMillimetre, OverheadMaxPixelsPerMillimetre);

    /// <summary>Returns configuration errors.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(TrichoscopyMinPixelsPerMillimetre > 0 && TrichoscopyMinPixelsPerMillimetre < TrichoscopyMaxPixelsPerMillimetre && TrichoscopyMaxPixelsPerMillimetre <= 100_000))
        {
            errors.Add("Trichoscopy scale limits must satisfy 0 < min < max <= 100000 px/mm.");
        }

        if (!(OverheadMinPixelsPerMillimetre > 0 && OverheadMinPixelsPerMillimetre < OverheadMaxPixelsPerMillimetre && OverheadMaxPixelsPerMillimetre <= 100_000))
        {
            errors.Add("Overhead scale limits must satisfy 0 < min < max <= 100000 px/mm.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="InvalidRequestException"/> on <paramref name="field"/> when <paramref name="pixelsPerMillimetre"/> is outside every modality's range.</summary>
    public void CheckAny(double pixelsPerMillimetre, string field)
    {
        if (!(pixelsPerMillimetre >= MinPixelsPerMillimetre && pixelsPerMillimetre <= MaxPixelsPerMillimetre))
        {
            throw new InvalidRequestException(field, $"A scale of {Show(pixelsPerMillimetre)} px/mm is not physically plausible for a scalp photo: trichoscopy takes {Range(Modality.Trichoscopy)} px/mm, overhead photos {Range(Modality.Overhead)} px/mm (a 70x trichoscope gives about 361). Check the unit (pixels per millimetre, not per inch or micrometre).");
        }
    }

    /// <summary>Throws <see cref="InvalidRequestException"/> when a caller's scale is implausible for <paramref name="modality"/>.</summary>
    public void CheckFor(Scale? scale, Modality modality, bool detected)
    {
        if (scale is null || scale.Source is not (ScaleSource.Request or ScaleSource.DeviceProfile))
        {
            return;
        }

        var (min, max) = modality == Modality.Overhead
            ? (OverheadMinPixelsPerMillimetre, OverheadMaxPixelsPerMillimetre)
            : (TrichoscopyMinPixelsPerMillimetre, TrichoscopyMaxPixelsPerMillimetre);
        if (scale.PixelsPerMillimetre >= min && scale.PixelsPerMillimetre <= max)
        {
            return;
        }

        var name = modality == Modality.Overhead ? "overhead" : "trichoscopy";
        var field = scale.Source == ScaleSource.Request ? "options.scale.pixels_per_millimetre" : "options.scale.device.magnification";
        var how = detected ? $"the photo was detected as {name}" : $"the request says {name}";
        throw new InvalidRequestException(field, $"A scale of {Show(scale.PixelsPerMillimetre)} px/mm is not plausible for {name} ({how}): {name} takes {min.ToString(CultureInfo.InvariantCulture)}-{max.ToString(CultureInfo.InvariantCulture)} px/mm. Check the scale, or set the modality explicitly.");
    }

    private string Range(Modality modality) => modality == Modality.Overhead
        ? $"{OverheadMinPixelsPerMillimetre.ToString(CultureInfo.InvariantCulture)}-{OverheadMaxPixelsPerMillimetre.ToString(CultureInfo.InvariantCulture)}"
        : $"{TrichoscopyMinPixelsPerMillimetre.ToString(CultureInfo.InvariantCulture)}-{TrichoscopyMaxPixelsPerMillimetre.ToString(CultureInfo.InvariantCulture)}";

    private static string Show(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
