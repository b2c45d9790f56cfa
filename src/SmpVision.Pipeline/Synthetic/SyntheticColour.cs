using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>
/// Colour arithmetic the generator needs: CIELAB (D65) to and from sRGB, the Individual
/// Typology Angle and its bands (Chardon 1991, docs/DOMAIN-SOURCES.md "Colour and skin tone"), and the
/// default skin and hair colours. Pure managed maths so the truth does not depend on how a
/// particular OpenCV build converts colours.
/// </summary>
public static class SyntheticColour
{
    // D65 reference white (CIE 1931 2 degree observer).
    private const double Xn = 0.95047;
    private const double Yn = 1.0;
    private const double Zn = 1.08883;
    private const double Delta = 6.0 / 29.0;

    /// <summary>ITA = atan((L* - 50) / b*) in degrees (Chardon 1991, docs/DOMAIN-SOURCES.md). Computed as atan2, which
    /// equals the formula for b* &gt; 0 (all real skin) and stays continuous for b* &lt;= 0 (colour casts).</summary>
    public static double ItaDegrees(LabColour lab) => CieLab.IndividualTypologyAngleDegrees(lab);

    /// <summary>Chardon 1991 band of an ITA (docs/DOMAIN-SOURCES.md), the same rule the measurement uses.</summary>
    public static ItaBand Band(double itaDegrees) => CieLab.BandOf(itaDegrees);

    /// <summary>
    /// A plausible skin colour with the given ITA. L* rises linearly with ITA (about 34 at -50
    /// degrees to 72 at 70 degrees) and b* follows from the ITA definition, which keeps b* in
    /// the 8-19 range measured on real skin across the ITA bands; a* rises slightly for darker
    /// skin. Any ITA from -50 to 70 degrees gives an in-gamut colour.
    /// </summary>
    public static LabColour SkinLabFromIta(double itaDegrees)
    {
        const double LPerDegree = 0.32;
        var theta = itaDegrees * Math.PI / 180.0;
        var l = 50.0 + (LPerDegree * itaDegrees);
        // b* = (L* - 50) / tan(ITA) = k*ITA/tan(ITA): continuous through ITA = 0.
        var b = Math.Abs(itaDegrees) < 1e-6 ? LPerDegree * 180.0 / Math.PI : LPerDegree * itaDegrees / Math.Tan(theta);
        var a = 7.0 + (0.06 * (70.0 - itaDegrees));
        return new LabColour(l, a, b);
    }

    /// <summary>Default CIELAB colour of terminal hair shafts of each colour class.</summary>
    public static LabColour HairLab(SyntheticHairColour colour) => colour switch
    {
        SyntheticHairColour.Black => new LabColour(14, 1, 1.5),
        SyntheticHairColour.DarkBrown => new LabColour(22, 3.5, 7),
        SyntheticHairColour.Brown => new LabColour(33, 7, 14),
        SyntheticHairColour.Blond => new LabColour(60, 5, 22),
        SyntheticHairColour.Grey => new LabColour(58, 0, 2.5),
        SyntheticHairColour.White => new LabColour(82, 0, 6),
        _ => throw new ArgumentOutOfRangeException(nameof(colour), colour, "Unknown hair colour."),
    };

    /// <summary>CIELAB (D65) of an 8-bit-range sRGB colour given as B, G, R in 0..1.</summary>
    public static LabColour FromSrgb(double blue, double green, double red)
    {
        var r = ToLinear(red);
        var g = ToLinear(green);
        var b = ToLinear(blue);
        var x = ((0.4124564 * r) + (0.3575761 * g) + (0.1804375 * b)) / Xn;
        var y = ((0.2126729 * r) + (0.7151522 * g) + (0.0721750 * b)) / Yn;
        var z = ((0.0193339 * r) + (0.1191920 * g) + (0.9503041 * b)) / Zn;
        var fx = F(x);
        var fy = F(y);
        var fz = F(z);
        return new LabColour((116 * fy) - 16, 500 * (fx - fy), 200 * (fy - fz));
    }

    /// <summary>sRGB (B, G, R in 0..1, clipped to gamut) of a CIELAB (D65) colour.</summary>
    public static (double Blue, double Green, double Red) ToSrgb(LabColour lab)
    {
        var fy = (lab.L + 16) / 116.0;
        var fx = fy + (lab.A / 500.0);
        var fz = fy - (lab.B / 200.0);
        var x = FInverse(fx) * Xn;
        var y = FInverse(fy) * Yn;
        var z = FInverse(fz) * Zn;
        var r = (3.2404542 * x) - (1.5371385 * y) - (0.4985314 * z);
        var g = (-0.9692660 * x) + (1.8760108 * y) + (0.0415560 * z);
        var b = (0.0556434 * x) - (0.2040259 * y) + (1.0572252 * z);
        return (FromLinear(b), FromLinear(g), FromLinear(r));
    }

    /// <summary>The colour as it lands in an 8-bit image: quantised sRGB converted back to Lab.</summary>
    internal static LabColour Quantised(LabColour lab)
    {
        var (b, g, r) = ToSrgb(lab);
        return FromSrgb(Math.Round(b * 255) / 255, Math.Round(g * 255) / 255, Math.Round(r * 255) / 255);
    }

    private static double ToLinear(double c) => c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);

    private static double FromLinear(double c)
    {
        c = Math.Clamp(c, 0, 1);
        return c <= 0.0031308 ? 12.92 * c : (1.055 * Math.Pow(c, 1 / 2.4)) - 0.055;
    }

    private static double F(double t) => t > Delta * Delta * Delta ? Math.Cbrt(t) : (t / (3 * Delta * Delta)) + (4.0 / 29.0);

    private static double FInverse(double t) => t > Delta ? t * t * t : 3 * Delta * Delta * (t - (4.0 / 29.0));
}
