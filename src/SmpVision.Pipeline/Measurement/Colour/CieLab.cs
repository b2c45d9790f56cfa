using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Measurement.Colour;

/// <summary>
/// Colour science used for skin and hair colour (docs/DOMAIN-SOURCES.md, Colour and skin tone): sRGB to
/// CIELAB under D65, the Individual Typology Angle with the Chardon 1991 bands, and CIEDE2000
/// (Sharma, Wu, Dalal 2005 formulation).
/// </summary>
public static class CieLab
{
    // D65 reference white (CIE 1931 2 degree), Y normalised to 1.
    private const double Xn = 0.95047;
    private const double Yn = 1.0;
    private const double Zn = 1.08883;

    private static readonly double[] SrgbToLinearTable = BuildLinearTable();

    /// <summary>Converts an 8-bit sRGB colour to CIELAB (D65).</summary>
    public static LabColour FromSrgb(byte red, byte green, byte blue)
    {
        double r = SrgbToLinearTable[red], g = SrgbToLinearTable[green], b = SrgbToLinearTable[blue];
        // IEC 61966-2-1 sRGB to XYZ (D65).
        double x = (0.4124564 * r) + (0.3575761 * g) + (0.1804375 * b);
        double y = (0.2126729 * r) + (0.7151522 * g) + (0.0721750 * b);
        double z = (0.0193339 * r) + (0.1191920 * g) + (0.9503041 * b);
        double fx = F(x / Xn), fy = F(y / Yn), fz = F(z / Zn);
        return new LabColour((116 * fy) - 16, 500 * (fx - fy), 200 * (fy - fz));
    }

    /// <summary>
    /// Skin b* at or below this is no skin tone: skin is always yellowish (b* &gt; 0; Chardon 1991
    /// measured b* ~5-25), so b* &lt;= 0 means a blue dye, a colour cast or an unbalanced camera, and
    /// the ITA, which divides by b*, is meaningless there. Such colour is flagged unreliable.
    /// </summary>
    public const double MinReliableSkinB = 0.0;

    /// <summary>
    /// Individual Typology Angle in degrees, ITA = atan((L* - 50) / b*) * 180 / pi (Chardon 1991;
    /// docs/DOMAIN-SOURCES.md), in its domain -90 to 90. The one ITA of the project. At b* &lt;= 0 the
    /// formula has no skin meaning (see <see cref="IsReliableSkinColour"/>); it returns the formula's
    /// limit as b* falls to 0 (+90 when L* &gt; 50, -90 below), so thresholds inside the domain order
    /// such colour as before but no value outside -90..90 is produced.
    /// </summary>
    public static double IndividualTypologyAngleDegrees(LabColour skin)
    {
        if (double.IsNaN(skin.L) || double.IsNaN(skin.B))
        {
            return double.NaN;
        }

        if (skin.B > 0)
        {
            return Math.Atan((skin.L - 50) / skin.B) * 180 / Math.PI;
        }

        return skin.L >= 50 ? 90 : -90;
    }

    /// <summary>Whether a skin colour is one a skin tone and its ITA can be read from: b* above <see cref="MinReliableSkinB"/>.</summary>
    public static bool IsReliableSkinColour(LabColour skin) => skin.B > MinReliableSkinB && double.IsFinite(skin.L);

    /// <summary>ITA band: &gt; 55 very light, 41-55 light, 28-41 intermediate, 10-28 tan, -30-10 brown, &lt; -30 dark (Chardon 1991; docs/DOMAIN-SOURCES.md).</summary>
    public static ItaBand BandOf(double itaDegrees) => itaDegrees switch
    {
        double.NaN => ItaBand.Unspecified,
        > 55 => ItaBand.VeryLight,
        > 41 => ItaBand.Light,
        > 28 => ItaBand.Intermediate,
        > 10 => ItaBand.Tan,
        > -30 => ItaBand.Brown,
        _ => ItaBand.Dark,
    };

    /// <summary>CIEDE2000 colour difference (kL = kC = kH = 1).</summary>
    public static double DeltaE2000(LabColour c1, LabColour c2)
    {
        double c1ab = Math.Sqrt((c1.A * c1.A) + (c1.B * c1.B));
        double c2ab = Math.Sqrt((c2.A * c2.A) + (c2.B * c2.B));
        double cBar = 0.5 * (c1ab + c2ab);
        double cBar7 = Math.Pow(cBar, 7);
        double g = 0.5 * (1 - Math.Sqrt(cBar7 / (cBar7 + Math.Pow(25, 7))));
        double a1 = (1 + g) * c1.A, a2 = (1 + g) * c2.A;
        double cp1 = Math.Sqrt((a1 * a1) + (c1.B * c1.B));
        double cp2 = Math.Sqrt((a2 * a2) + (c2.B * c2.B));
        double hp1 = HueDegrees(a1, c1.B);
        double hp2 = HueDegrees(a2, c2.B);

        double dL = c2.L - c1.L;
        double dC = cp2 - cp1;
        double dhp;
        if (cp1 * cp2 == 0)
        {
            dhp = 0;
        }
        else
        {
            dhp = hp2 - hp1;
            if (dhp > 180) dhp -= 360;
            else if (dhp < -180) dhp += 360;
        }

        double dH = 2 * Math.Sqrt(cp1 * cp2) * Math.Sin(Rad(dhp / 2));
        double lBar = 0.5 * (c1.L + c2.L);
        double cpBar = 0.5 * (cp1 + cp2);
        double hpBar;
        if (cp1 * cp2 == 0)
        {
            hpBar = hp1 + hp2;
        }
        else if (Math.Abs(hp1 - hp2) <= 180)
        {
            hpBar = 0.5 * (hp1 + hp2);
        }
        else
        {
            hpBar = hp1 + hp2 < 360 ? 0.5 * (hp1 + hp2 + 360) : 0.5 * (hp1 + hp2 - 360);
        }

        double t = 1 - (0.17 * Math.Cos(Rad(hpBar - 30))) + (0.24 * Math.Cos(Rad(2 * hpBar)))
            + (0.32 * Math.Cos(Rad((3 * hpBar) + 6))) - (0.20 * Math.Cos(Rad((4 * hpBar) - 63)));
        double dTheta = 30 * Math.Exp(-Math.Pow((hpBar - 275) / 25, 2));
        double cpBar7 = Math.Pow(cpBar, 7);
        double rc = 2 * Math.Sqrt(cpBar7 / (cpBar7 + Math.Pow(25, 7)));
        double l50 = (lBar - 50) * (lBar - 50);
        double sl = 1 + (0.015 * l50 / Math.Sqrt(20 + l50));
        double sc = 1 + (0.045 * cpBar);
        double sh = 1 + (0.015 * cpBar * t);
        double rt = -Math.Sin(Rad(2 * dTheta)) * rc;
        double tl = dL / sl, tc = dC / sc, th = dH / sh;
        return Math.Sqrt((tl * tl) + (tc * tc) + (th * th) + (rt * tc * th));
    }

    private static double HueDegrees(double a, double b)
    {
        if (a == 0 && b == 0)
        {
            return 0;
        }

        double h = Math.Atan2(b, a) * 180 / Math.PI;
        return h < 0 ? h + 360 : h;
    }

    private static double Rad(double degrees) => degrees * Math.PI / 180;

    private static double F(double t) => t > 216.0 / 24389 ? Math.Cbrt(t) : ((24389.0 / 27 * t) + 16) / 116;

    private static double[] BuildLinearTable()
    {
        var table = new double[256];
        for (int i = 0; i < 256; i++)
        {
            double c = i / 255.0;
            table[i] = c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        return table;
    }
}
