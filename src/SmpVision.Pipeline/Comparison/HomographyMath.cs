using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Comparison;

/// <summary>Local shape of a homography: what a plausibility check needs.</summary>
/// <param name="ScaleFactor">Square root of the Jacobian determinant (area scale) at the reference point.</param>
/// <param name="RotationDegrees">Rotation of the Jacobian's polar factor, degrees.</param>
/// <param name="Anisotropy">Larger / smaller singular value of the Jacobian (1 = similarity).</param>
/// <param name="IsReflection">True when the Jacobian determinant is negative (mirror image).</param>
/// <param name="PerspectiveRatio">Largest / smallest projective denominator over the given corners; +infinity when one is not positive.</param>
internal readonly record struct HomographyShape(double ScaleFactor, double RotationDegrees, double Anisotropy, bool IsReflection, double PerspectiveRatio);

/// <summary>Plain 3x3 homography arithmetic on row-major double[9]: no native memory.</summary>
internal static class HomographyMath
{
    public static double[] Identity() => [1, 0, 0, 0, 1, 0, 0, 0, 1];

    public static PointPixels Apply(IReadOnlyList<double> h, double x, double y)
    {
        var w = h[6] * x + h[7] * y + h[8];
        return new PointPixels((h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w);
    }

    public static double Denominator(IReadOnlyList<double> h, double x, double y) => h[6] * x + h[7] * y + h[8];

    public static double[] Multiply(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var r = new double[9];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                r[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
            }
        }

        return r;
    }

    /// <summary>Inverse, normalised so that h[8] = 1; null when singular.</summary>
    public static double[]? Invert(IReadOnlyList<double> m)
    {
        var a = m[0]; var b = m[1]; var c = m[2];
        var d = m[3]; var e = m[4]; var f = m[5];
        var g = m[6]; var h = m[7]; var i = m[8];
        var co00 = e * i - f * h;
        var co01 = -(d * i - f * g);
        var co02 = d * h - e * g;
        var det = a * co00 + b * co01 + c * co02;
        if (Math.Abs(det) < 1e-12)
        {
            return null;
        }

        double[] inv =
        [
            co00 / det, -(b * i - c * h) / det, (b * f - c * e) / det,
            co01 / det, (a * i - c * g) / det, -(a * f - c * d) / det,
            co02 / det, -(a * h - b * g) / det, (a * e - b * d) / det,
        ];
        return Normalise(inv);
    }

    /// <summary>Scales so that h[8] = 1; returns null when h[8] is (near) zero.</summary>
    public static double[]? Normalise(IReadOnlyList<double> h)
    {
        if (Math.Abs(h[8]) < 1e-12)
        {
            return null;
        }

        var r = new double[9];
        for (var k = 0; k < 9; k++)
        {
            r[k] = h[k] / h[8];
        }

        return r;
    }

    /// <summary>
    /// Re-expresses a homography estimated between resampled images at full resolution:
    /// x_work = s * x_full on each side, so H_full = diag(1/sTo) * H_work * diag(sFrom).
    /// </summary>
    public static double[] Rescale(IReadOnlyList<double> hWork, double fromScale, double toScale)
    {
        double[] sFrom = [fromScale, 0, 0, 0, fromScale, 0, 0, 0, 1];
        double[] sToInv = [1 / toScale, 0, 0, 0, 1 / toScale, 0, 0, 0, 1];
        return Normalise(Multiply(sToInv, Multiply(hWork, sFrom))) ?? hWork.ToArray();
    }

    /// <summary>Local shape at (x, y) and perspective ratio over the given corners.</summary>
    public static HomographyShape Shape(IReadOnlyList<double> h, double x, double y, IReadOnlyList<PointPixels> corners)
    {
        var w = Denominator(h, x, y);
        var p = Apply(h, x, y);
        // Jacobian of the projective map at (x, y).
        var j00 = (h[0] - p.X * h[6]) / w;
        var j01 = (h[1] - p.X * h[7]) / w;
        var j10 = (h[3] - p.Y * h[6]) / w;
        var j11 = (h[4] - p.Y * h[7]) / w;
        var det = j00 * j11 - j01 * j10;

        // Singular values of a 2x2 matrix in closed form.
        var e = (j00 + j11) / 2; var f = (j00 - j11) / 2;
        var g = (j10 + j01) / 2; var k = (j10 - j01) / 2;
        var q = Math.Sqrt(e * e + k * k);
        var r = Math.Sqrt(f * f + g * g);
        var s1 = q + r;
        var s2 = Math.Abs(q - r);
        var anisotropy = s2 < 1e-12 ? double.PositiveInfinity : s1 / s2;
        // Rotation of the similarity part (atan2 of the antisymmetric and symmetric halves); image y points down.
        var rotation = Math.Atan2(k, e) * 180.0 / Math.PI;

        var minW = double.PositiveInfinity;
        var maxW = double.NegativeInfinity;
        foreach (var c in corners)
        {
            var wc = Denominator(h, c.X, c.Y) / h[8];
            minW = Math.Min(minW, wc);
            maxW = Math.Max(maxW, wc);
        }

        var perspective = minW <= 1e-9 ? double.PositiveInfinity : maxW / minW;
        return new HomographyShape(Math.Sqrt(Math.Abs(det)), rotation, anisotropy, det < 0, perspective);
    }
}
