using OpenCvSharp;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>
/// Paints a planned layout over a scene into an 8-bit BGR frame. Order follows the physics of a
/// contact dermoscope: skin (colour, scale flakes, furrows, vessels), scar tissue, the buried
/// part of each shaft seen through the epidermis (blue-grey, Tyndall effect), dye, the shafts,
/// specular glare, optics (blur, corner defocus, vignetting, field rim), sensor noise, and last
/// the overlays the capture software burns in. All sizes are physical, scaled by px/mm.
/// </summary>
internal static class SyntheticRenderer
{
    internal sealed record Output(Mat Bgr, byte[] HairCoverageMask, LabColour SkinLab, LabColour HairLab, LabColour SkinLabUnquantised, LabColour HairLabUnquantised);

    /// <summary>The scalp as light leaves it (float BGR 0-1, owned: dispose) and where shafts cover pixels.</summary>
    internal sealed record SceneOutput(Mat Canvas, byte[] HairCoverageMask);

    internal static Output Render(SyntheticTrichoscopySpec spec, int seed, SyntheticScene scene, SyntheticLayout layout, CancellationToken ct)
    {
        var painted = RenderScene(spec, seed, scene, layout, LooseFragments(spec, seed), ct);
        using var canvas = painted.Canvas;
        return FinishFrame(spec, seed, canvas, painted.HairCoverageMask, scene.Overlays, ct);
    }

    /// <summary>Skin, scars, buried shafts, dye, shafts, glare and white balance, over the spec's canvas size.</summary>
    internal static SceneOutput RenderScene(
        SyntheticTrichoscopySpec spec, int seed, SyntheticScene scene, SyntheticLayout layout, IReadOnlyList<PlannedHair> fragments, CancellationToken ct)
    {
        int w = spec.WidthPixels, h = spec.HeightPixels;
        var ppm = spec.PixelsPerMillimetre;
        var skinLab = spec.SkinLab ?? SyntheticColour.SkinLabFromIta(spec.SkinItaDegrees);
        var hairLab = spec.HairLab ?? SyntheticColour.HairLab(spec.HairColour);
        var skin = SyntheticColour.ToSrgb(skinLab);

        var canvas = new Mat(h, w, MatType.CV_32FC3, new Scalar(skin.Blue, skin.Green, skin.Red));
        try
        {
            using var scarWeight = ScarWeight(spec, scene, ppm);
            PaintScars(spec, canvas, scarWeight, skinLab);
            ct.ThrowIfCancellationRequested();

            PaintSkinTexture(spec, seed, canvas, scarWeight, ppm);
            ct.ThrowIfCancellationRequested();

            PaintSubsurface(spec, canvas, layout, skinLab, hairLab, ppm);
            ct.ThrowIfCancellationRequested();

            PaintDye(spec, seed, canvas, layout, ppm);
            ct.ThrowIfCancellationRequested();

            var hairMask = new byte[w * h];
            foreach (var hair in layout.Hairs)
            {
                ct.ThrowIfCancellationRequested();
                PaintHair(spec, seed, canvas, hairMask, hair, hairLab, skinLab, loose: false);
            }

            // Loose cut fragments lie on the skin: drawn like shafts but without an opening; not hairs.
            var debrisMask = new byte[w * h];
            foreach (var fragment in fragments)
            {
                PaintHair(spec, seed, canvas, debrisMask, fragment, hairLab, skinLab, loose: true);
            }

            PaintGlare(spec, seed, canvas, ppm);
            ApplyWhiteBalance(spec, canvas);
            return new SceneOutput(canvas, hairMask);
        }
        catch
        {
            canvas.Dispose();
            throw;
        }
    }

    /// <summary>What the camera adds to a frame-sized scene: optics, rim, noise, 8-bit, burned-in overlays.</summary>
    internal static Output FinishFrame(SyntheticTrichoscopySpec spec, int seed, Mat canvas, byte[] hairMask, OverlayGeometry overlays, CancellationToken ct)
    {
        var skinLab = spec.SkinLab ?? SyntheticColour.SkinLabFromIta(spec.SkinItaDegrees);
        var hairLab = spec.HairLab ?? SyntheticColour.HairLab(spec.HairColour);
        ApplyOptics(spec, canvas, overlays.Rim);
        AddNoise(spec, seed, canvas);
        ct.ThrowIfCancellationRequested();

        var bgr = new Mat();
        canvas.ConvertTo(bgr, MatType.CV_8UC3, 255.0);
        SyntheticOverlayPainter.Paint(bgr, overlays);
        return new Output(bgr, hairMask, AsRendered(spec, skinLab), AsRendered(spec, hairLab), skinLab, hairLab);
    }

    /// <summary>A scene colour as the camera records it: white-balance gains, clipping, 8-bit quantisation.</summary>
    internal static LabColour AsRendered(SyntheticTrichoscopySpec spec, LabColour lab)
    {
        var (b, g, r) = SyntheticColour.ToSrgb(lab);
        var gains = spec.WhiteBalance;
        static double Q(double v) => Math.Round(Math.Clamp(v, 0, 1) * 255) / 255;
        return SyntheticColour.FromSrgb(Q(b * gains.Blue), Q(g * gains.Green), Q(r * gains.Red));
    }

    private static void ApplyWhiteBalance(SyntheticTrichoscopySpec spec, Mat canvas)
    {
        var gains = spec.WhiteBalance;
        if (gains == SyntheticChannelGains.Neutral)
        {
            return;
        }

        Cv2.Multiply(canvas, new Scalar(gains.Blue, gains.Green, gains.Red), canvas);
    }

    private static unsafe Span<float> Floats(Mat m) => new((void*)m.Data, m.Rows * m.Cols * m.Channels());

    private static double SmoothStep(double e0, double e1, double x)
    {
        var t = Math.Clamp((x - e0) / (e1 - e0), 0, 1);
        return t * t * (3 - (2 * t));
    }

    /// <summary>Zero-mean noise with features of about <paramref name="featurePixels"/>: a random grid
    /// upsampled with cubic interpolation.</summary>
    private static Mat SmoothNoise(SyntheticRandom rng, int w, int h, double featurePixels)
    {
        var step = Math.Max(2, (int)Math.Round(featurePixels));
        var gw = (w / step) + 4;
        var gh = (h / step) + 4;
        using var grid = new Mat(gh, gw, MatType.CV_32FC1);
        var g = Floats(grid);
        for (var i = 0; i < g.Length; i++)
        {
            g[i] = (float)rng.Normal();
        }

        using var big = new Mat();
        Cv2.Resize(grid, big, new Size(gw * step, gh * step), 0, 0, InterpolationFlags.Cubic);
        using var roi = new Mat(big, new Rect(step, step, w, h));
        return roi.Clone();
    }

    /// <summary>
    /// Gaussian blur for large sigmas: blur at a reduced size and scale back up. The result is
    /// smooth at that scale anyway, and a full-size kernel of hundreds of taps would dominate the
    /// frame's render time.
    /// </summary>
    private static void BlurLarge(Mat layer, double sigmaPixels)
    {
        var factor = Math.Clamp((int)Math.Floor(sigmaPixels / 3.0), 1, 8);
        if (factor == 1)
        {
            Cv2.GaussianBlur(layer, layer, new Size(0, 0), sigmaPixels);
            return;
        }

        var size = layer.Size();
        using var small = new Mat();
        Cv2.Resize(layer, small, new Size(Math.Max(1, size.Width / factor), Math.Max(1, size.Height / factor)), 0, 0, InterpolationFlags.Area);
        Cv2.GaussianBlur(small, small, new Size(0, 0), sigmaPixels / factor);
        Cv2.Resize(small, layer, size, 0, 0, InterpolationFlags.Linear);
    }

    /// <summary>White noise blurred to <paramref name="sigmaPixels"/> and rescaled to unit variance.</summary>
    private static Mat FineNoise(SyntheticRandom rng, int w, int h, double sigmaPixels)
    {
        var noise = new Mat(h, w, MatType.CV_32FC1);
        var n = Floats(noise);
        for (var i = 0; i < n.Length; i++)
        {
            n[i] = (float)rng.Normal();
        }

        if (sigmaPixels > 0.3)
        {
            Cv2.GaussianBlur(noise, noise, new Size(0, 0), sigmaPixels);
            // Variance of blurred unit white noise is 1 / (4 pi sigma^2).
            var gain = 2.0 * Math.Sqrt(Math.PI) * sigmaPixels;
            Cv2.Multiply(noise, new Scalar(gain), noise);
        }

        return noise;
    }

    private static Mat ScarWeight(SyntheticTrichoscopySpec spec, SyntheticScene scene, double ppm)
    {
        int w = spec.WidthPixels, h = spec.HeightPixels;
        var weight = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
        if (!spec.Regions.Any(r => r.Kind == SyntheticRegionKind.Scar))
        {
            return weight;
        }

        var f = Floats(weight);
        for (var i = 0; i < f.Length; i++)
        {
            f[i] = scene.RegionLabels[i] == (byte)RegionClass.Scar ? 1f : 0f;
        }

        // Scar margins blend over ~20 um; the label stays sharp.
        BlurLarge(weight, Math.Max(0.5, 0.02 * ppm));
        return weight;
    }

    private static void PaintScars(SyntheticTrichoscopySpec spec, Mat canvas, Mat scarWeight, LabColour skinLab)
    {
        if (!spec.Regions.Any(r => r.Kind == SyntheticRegionKind.Scar))
        {
            return;
        }

        // One tone per frame: the first scar's tone (scars of one frame share their tissue colour).
        var tone = spec.Regions.First(r => r.Kind == SyntheticRegionKind.Scar).ScarTone;
        var scarLab = tone switch
        {
            SyntheticScarTone.Hypopigmented => new LabColour(skinLab.L + 10, skinLab.A - 2, skinLab.B - 5),
            SyntheticScarTone.Hyperpigmented => new LabColour(skinLab.L - 12, skinLab.A + 3, skinLab.B + 5),
            _ => new LabColour(skinLab.L + 6, skinLab.A + 8, skinLab.B - 2),
        };
        var (sb, sg, sr) = SyntheticColour.ToSrgb(scarLab);
        var c = Floats(canvas);
        var wgt = Floats(scarWeight);
        for (var i = 0; i < wgt.Length; i++)
        {
            var a = wgt[i];
            if (a <= 0)
            {
                continue;
            }

            c[3 * i] += (float)(a * (sb - c[3 * i]));
            c[(3 * i) + 1] += (float)(a * (sg - c[(3 * i) + 1]));
            c[(3 * i) + 2] += (float)(a * (sr - c[(3 * i) + 2]));
        }
    }

    /// <summary>
    /// Skin surface at 70x: broad and fine mottling, bright stratum-corneum flakes (the white,
    /// slightly blue speckle of the dev frames), darker furrows and faint superficial vessels.
    /// Scar tissue is smooth: texture drops to a quarter there.
    /// </summary>
    private static void PaintSkinTexture(SyntheticTrichoscopySpec spec, int seed, Mat canvas, Mat scarWeight, double ppm)
    {
        var strength = spec.SkinTexture;
        if (strength <= 0)
        {
            return;
        }

        int w = spec.WidthPixels, h = spec.HeightPixels;
        var rng = SyntheticRandom.Derive(seed, "skin");
        using var broad = SmoothNoise(rng, w, h, 1.0 * ppm);
        using var mottle = SmoothNoise(rng, w, h, 0.18 * ppm);
        using var flakeMod = SmoothNoise(rng, w, h, 0.12 * ppm);
        using var flakes = FineNoise(rng, w, h, Math.Max(0.8, 0.008 * ppm));
        using var cloud = SmoothNoise(rng, w, h, 0.04 * ppm);
        using var furrows = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
        using var vessels = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));

        var areaMm2 = w * h / (ppm * ppm);
        DrawCurves(rng, furrows, (int)Math.Round(areaMm2 * 1.5), 0.4 * ppm, 2.0 * ppm, Math.Max(1, 0.015 * ppm), 0.35);
        DrawCurves(rng, vessels, (int)Math.Round(areaMm2 * 0.25), 0.3 * ppm, 1.2 * ppm, Math.Max(1, 0.008 * ppm), 0.8);
        Cv2.GaussianBlur(furrows, furrows, new Size(0, 0), Math.Max(0.8, 0.012 * ppm));
        Cv2.GaussianBlur(vessels, vessels, new Size(0, 0), Math.Max(0.8, 0.01 * ppm));

        var c = Floats(canvas);
        var br = Floats(broad);
        var mo = Floats(mottle);
        var fm = Floats(flakeMod);
        var fl = Floats(flakes);
        var cl = Floats(cloud);
        var fu = Floats(furrows);
        var ve = Floats(vessels);
        var sw = Floats(scarWeight);
        for (var i = 0; i < br.Length; i++)
        {
            var s = strength * (1.0 - (0.75 * sw[i]));
            var lum = 1.0 + (s * ((0.035 * br[i]) + (0.025 * mo[i]) - (0.06 * fu[i])));
            // Flakes cluster: a slow field gates where the soft whitish scale shows.
            var gate = Math.Clamp(0.55 + (0.35 * fm[i]), 0, 1);
            var field = (0.65 * fl[i]) + (0.45 * cl[i]);
            var flake = s * gate * Math.Clamp((field - 0.25) * 0.13, 0, 0.32);
            var vessel = s * ve[i] * 0.1;
            var b = (c[3 * i] * lum * (1 - (0.8 * vessel))) + ((1 - c[3 * i]) * flake);
            var g = (c[(3 * i) + 1] * lum * (1 - vessel)) + ((1 - c[(3 * i) + 1]) * flake * 0.96);
            var r = (c[(3 * i) + 2] * lum * (1 - (0.1 * vessel))) + ((1 - c[(3 * i) + 2]) * flake * 0.9);
            c[3 * i] = (float)b;
            c[(3 * i) + 1] = (float)g;
            c[(3 * i) + 2] = (float)r;
        }
    }

    /// <summary>Random smooth curves (furrows, vessels) drawn as polylines of short segments.</summary>
    private static void DrawCurves(SyntheticRandom rng, Mat layer, int count, double minLength, double maxLength, double thickness, double wiggle)
    {
        for (var k = 0; k < count; k++)
        {
            var x = rng.Uniform(-0.1, 1.1) * layer.Cols;
            var y = rng.Uniform(-0.1, 1.1) * layer.Rows;
            var angle = rng.Uniform(0, 2 * Math.PI);
            var length = rng.Uniform(minLength, maxLength);
            var intensity = rng.Uniform(0.4, 1.0);
            var segments = 12;
            var step = length / segments;
            var width = Math.Max(1, (int)Math.Round(thickness * rng.Uniform(0.7, 1.3)));
            for (var s = 0; s < segments; s++)
            {
                angle += rng.Normal() * wiggle;
                var nx = x + (step * Math.Cos(angle));
                var ny = y + (step * Math.Sin(angle));
                Cv2.Line(layer, new Point(x, y), new Point(nx, ny), Scalar.All(intensity), width, LineTypes.Link8);
                x = nx;
                y = ny;
            }
        }
    }

    /// <summary>How dark a hair's buried part and shaft read against this skin, 0-1.</summary>
    private static double Darkness(LabColour skin, LabColour hair, SyntheticHairKind kind)
    {
        var contrast = Math.Clamp((skin.L - hair.L) / 50.0, 0.12, 1.0);
        return contrast * kind switch
        {
            SyntheticHairKind.Terminal => 1.0,
            SyntheticHairKind.Intermediate => 0.7,
            _ => 0.4,
        };
    }

    /// <summary>
    /// The part of each shaft still under the skin shows as a blurred blue-grey streak behind the
    /// follicular opening; the dev frames show it on almost every hair.
    /// </summary>
    private static void PaintSubsurface(SyntheticTrichoscopySpec spec, Mat canvas, SyntheticLayout layout, LabColour skinLab, LabColour hairLab, double ppm)
    {
        int w = spec.WidthPixels, h = spec.HeightPixels;
        using var shadow = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
        using var scratch = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
        var frame = new Rect(0, 0, w, h);
        foreach (var hair in layout.Hairs)
        {
            var dx = Math.Cos(hair.AngleRadians);
            var dy = Math.Sin(hair.AngleRadians);
            var darkness = Darkness(skinLab, hairLab, hair.Kind);
            var far = new PointPixels(hair.Emergence.X - (dx * hair.SubsurfaceLengthPixels), hair.Emergence.Y - (dy * hair.SubsurfaceLengthPixels));
            var pad = (int)Math.Ceiling(hair.WidthPixels * 2) + 2;
            var box = Rect.FromLTRB(
                (int)Math.Floor(Math.Min(far.X, hair.Emergence.X)) - pad,
                (int)Math.Floor(Math.Min(far.Y, hair.Emergence.Y)) - pad,
                (int)Math.Ceiling(Math.Max(far.X, hair.Emergence.X)) + pad,
                (int)Math.Ceiling(Math.Max(far.Y, hair.Emergence.Y)) + pad) & frame;
            if (box.Width <= 0 || box.Height <= 0)
            {
                continue;
            }

            using var s = new Mat(scratch, box);
            using var d = new Mat(shadow, box);
            // Deeper parts are fainter and wider: draw from the far end towards the opening.
            const int Steps = 6;
            for (var k = Steps - 1; k >= 0; k--)
            {
                var t0 = (double)k / Steps;
                var t1 = (double)(k + 1) / Steps;
                var p0 = new Point(hair.Emergence.X - (dx * hair.SubsurfaceLengthPixels * t0) - 0.5 - box.X, hair.Emergence.Y - (dy * hair.SubsurfaceLengthPixels * t0) - 0.5 - box.Y);
                var p1 = new Point(hair.Emergence.X - (dx * hair.SubsurfaceLengthPixels * t1) - 0.5 - box.X, hair.Emergence.Y - (dy * hair.SubsurfaceLengthPixels * t1) - 0.5 - box.Y);
                var intensity = darkness * Math.Pow(1.0 - t0, 1.2);
                var thickness = Math.Max(1, (int)Math.Round(hair.WidthPixels * (1.2 + (1.0 * t0))));
                Cv2.Line(s, p0, p1, Scalar.All(intensity), thickness, LineTypes.Link8);
            }

            Cv2.Max(d, s, d);
            s.SetTo(Scalar.All(0));
        }

        BlurLarge(shadow, Math.Max(1.0, 0.04 * ppm));
        var c = Floats(canvas);
        var sh = Floats(shadow);
        for (var i = 0; i < sh.Length; i++)
        {
            var v = 0.6 * sh[i];
            c[3 * i] *= (float)(1 - (0.35 * v));
            c[(3 * i) + 1] *= (float)(1 - (0.55 * v));
            c[(3 * i) + 2] *= (float)(1 - (0.68 * v));
        }
    }

    /// <summary>Blue skin-marker dye: granular patches, often pooled around follicular openings.</summary>
    private static void PaintDye(SyntheticTrichoscopySpec spec, int seed, Mat canvas, SyntheticLayout layout, double ppm)
    {
        if (spec.DyeMarks == 0)
        {
            return;
        }

        int w = spec.WidthPixels, h = spec.HeightPixels;
        var rng = SyntheticRandom.Derive(seed, "dye");
        using var dye = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
        var inFrame = layout.Units.Where(u => u.Centre.X >= 0 && u.Centre.Y >= 0 && u.Centre.X < w && u.Centre.Y < h).ToList();
        for (var k = 0; k < spec.DyeMarks; k++)
        {
            var centre = inFrame.Count > 0 && rng.Chance(0.7)
                ? inFrame[rng.NextInt(inFrame.Count)].Centre
                : new PointPixels(rng.Uniform(0, w), rng.Uniform(0, h));
            var blobs = 3 + rng.NextInt(4);
            for (var b = 0; b < blobs; b++)
            {
                var cx = centre.X + (rng.Normal() * 0.12 * ppm);
                var cy = centre.Y + (rng.Normal() * 0.12 * ppm);
                var axes = new Size(rng.Uniform(0.05, 0.25) * ppm, rng.Uniform(0.04, 0.15) * ppm);
                Cv2.Ellipse(dye, new Point(cx, cy), axes, rng.Uniform(0, 180), 0, 360, Scalar.All(rng.Uniform(0.4, 1.0)), -1, LineTypes.Link8);
            }
        }

        BlurLarge(dye, Math.Max(1.0, 0.04 * ppm));
        using var grain = FineNoise(rng, w, h, Math.Max(1.0, 0.012 * ppm));
        var c = Floats(canvas);
        var d = Floats(dye);
        var g = Floats(grain);
        for (var i = 0; i < d.Length; i++)
        {
            var v = Math.Clamp(d[i] * (0.85 + (0.12 * g[i])), 0, 0.85);
            if (v <= 0)
            {
                continue;
            }

            c[3 * i] *= (float)(1 - (0.08 * v));
            c[(3 * i) + 1] *= (float)(1 - (0.38 * v));
            c[(3 * i) + 2] *= (float)(1 - (0.6 * v));
        }
    }

    /// <summary>
    /// Loose fragments of cut hair lying on the skin (the dev set's "abnormal" boxes): short dark
    /// segments, 0.05-0.2 mm, terminal width. They are not hairs and never enter the hair truth.
    /// </summary>
    internal static IReadOnlyList<PlannedHair> LooseFragments(SyntheticTrichoscopySpec spec, int seed)
    {
        var rng = SyntheticRandom.Derive(seed, "fragments");
        var ppm = spec.PixelsPerMillimetre;
        var fragments = new List<PlannedHair>(spec.LooseHairFragments);
        for (var k = 0; k < spec.LooseHairFragments; k++)
        {
            var widthUm = spec.TerminalWidthMicrometres.Sample(rng);
            fragments.Add(new PlannedHair(
                -1 - k,
                -1,
                new PointPixels(rng.Uniform(0, spec.WidthPixels), rng.Uniform(0, spec.HeightPixels)),
                rng.Uniform(0, 2 * Math.PI),
                rng.Uniform(0.05, 0.2) * ppm,
                widthUm * ppm / 1000.0,
                widthUm,
                SyntheticHairKind.Terminal,
                Math.Clamp(rng.Normal() * 20.0, -45, 45) * Math.PI / 180.0,
                0,
                rng.Normal() * 2.5,
                1_000_000 + k));
        }

        return fragments;
    }

    /// <summary>Colour of one shaft: thinner hairs carry less pigment and read closer to the skin.</summary>
    internal static LabColour ShaftLab(PlannedHair hair, LabColour hairLab, LabColour skinLab)
    {
        var lighten = hair.Kind switch
        {
            SyntheticHairKind.Terminal => 0.0,
            SyntheticHairKind.Intermediate => 0.2,
            _ => 0.45,
        };
        return new LabColour(
            Math.Clamp(hairLab.L + hair.LightnessJitter + ((skinLab.L - hairLab.L) * lighten), 0, 100),
            hairLab.A,
            hairLab.B);
    }

    /// <summary>
    /// One shaft, rasterised analytically with 1-pixel anti-aliasing: a straight cylinder with a
    /// blunt oblique cut tip, darker edges, a narrow specular stripe, faint cuticle banding, and a
    /// short fade where it leaves the skin. Thinner hairs are lighter and more translucent.
    /// </summary>
    private static void PaintHair(SyntheticTrichoscopySpec spec, int seed, Mat canvas, byte[] hairMask, PlannedHair hair, LabColour hairLab, LabColour skinLab, bool loose)
    {
        int w = spec.WidthPixels, h = spec.HeightPixels;
        var lab = ShaftLab(hair, hairLab, skinLab);
        var (cb, cg, cr) = SyntheticColour.ToSrgb(lab);
        var opacity = hair.Kind switch
        {
            SyntheticHairKind.Terminal => 0.97,
            SyntheticHairKind.Intermediate => 0.9,
            _ => 0.75,
        };
        // Light hair lets more light through.
        opacity *= 1.0 - (0.15 * Math.Clamp((lab.L - 40) / 50.0, 0, 1));
        var rng = SyntheticRandom.Derive(seed, "hair", hair.RenderIndex);
        // Irregular edges and shading along the shaft: a few random sinusoids per hair.
        var ppm = spec.PixelsPerMillimetre;
        var edgeWaves = RandomWaves(rng, 3, 0.05 * ppm, 0.3 * ppm);
        var shadeWaves = RandomWaves(rng, 3, 0.015 * ppm, 0.12 * ppm);
        var specOffset = rng.Uniform(0.15, 0.45);
        var specular = 0.07 + (0.08 * spec.Glare);

        var dx = Math.Cos(hair.AngleRadians);
        var dy = Math.Sin(hair.AngleRadians);
        var hw = hair.WidthPixels / 2.0;
        var tanCut = Math.Tan(hair.TipCutRadians);
        var reach = hair.LengthPixels + (hw * Math.Abs(tanCut)) + 1;
        double[] xs = [hair.Emergence.X + (-dy * (hw + 1)), hair.Emergence.X - (-dy * (hw + 1)), hair.Emergence.X + (dx * reach) + (-dy * (hw + 1)), hair.Emergence.X + (dx * reach) - (-dy * (hw + 1))];
        double[] ys = [hair.Emergence.Y + (dx * (hw + 1)), hair.Emergence.Y - (dx * (hw + 1)), hair.Emergence.Y + (dy * reach) + (dx * (hw + 1)), hair.Emergence.Y + (dy * reach) - (dx * (hw + 1))];
        var x0 = Math.Max(0, (int)Math.Floor(xs.Min()) - 1);
        var y0 = Math.Max(0, (int)Math.Floor(ys.Min()) - 1);
        var x1 = Math.Min(w, (int)Math.Ceiling(xs.Max()) + 2);
        var y1 = Math.Min(h, (int)Math.Ceiling(ys.Max()) + 2);
        if (x0 >= x1 || y0 >= y1)
        {
            return;
        }

        var fadeLength = Math.Max(1.0, 0.6 * hair.WidthPixels);
        var c = Floats(canvas);
        for (var y = y0; y < y1; y++)
        {
            for (var x = x0; x < x1; x++)
            {
                var px = x + 0.5 - hair.Emergence.X;
                var py = y + 0.5 - hair.Emergence.Y;
                var u = (px * dx) + (py * dy);
                var v = (-px * dy) + (py * dx);
                var hwHere = hw * (1.0 + (0.05 * Waves(edgeWaves, u)));
                var across = Math.Clamp(hwHere - Math.Abs(v) + 0.5, 0, 1);
                if (across <= 0 || u < -0.5)
                {
                    continue;
                }

                var end = hair.LengthPixels + (v * tanCut);
                var along = Math.Clamp(u + 0.5, 0, 1) * Math.Clamp(end - u + 0.5, 0, 1);
                var coverage = across * along;
                if (coverage <= 0)
                {
                    continue;
                }

                var i = (y * w) + x;
                if (coverage >= 0.5)
                {
                    hairMask[i] = 255;
                }

                var t = Math.Min(1.0, Math.Abs(v) / Math.Max(hw, 0.5));
                var shade = (1.0 - (0.35 * t * t)) * (1.0 + (0.06 * Waves(shadeWaves, u)));
                var stripe = (v / Math.Max(hw, 0.5)) - specOffset;
                var highlight = specular * Math.Exp(-(stripe * stripe) / (2 * 0.22 * 0.22));
                var fade = loose ? 1.0 : Math.Clamp(0.4 + (0.6 * u / fadeLength), 0.4, 1.0);
                var alpha = coverage * opacity * fade;
                var pb = (cb * shade) + highlight;
                var pg = (cg * shade) + highlight;
                var pr = (cr * shade) + highlight;
                c[3 * i] += (float)(alpha * (pb - c[3 * i]));
                c[(3 * i) + 1] += (float)(alpha * (pg - c[(3 * i) + 1]));
                c[(3 * i) + 2] += (float)(alpha * (pr - c[(3 * i) + 2]));
            }
        }
    }

    private static (double Frequency, double Phase, double Amplitude)[] RandomWaves(SyntheticRandom rng, int count, double minPeriodPixels, double maxPeriodPixels)
    {
        var waves = new (double, double, double)[count];
        for (var k = 0; k < count; k++)
        {
            waves[k] = (2 * Math.PI / rng.Uniform(minPeriodPixels, maxPeriodPixels), rng.Uniform(0, 2 * Math.PI), rng.Uniform(0.3, 1.0) / count);
        }

        return waves;
    }

    private static double Waves((double Frequency, double Phase, double Amplitude)[] waves, double u)
    {
        var sum = 0.0;
        foreach (var (f, p, a) in waves)
        {
            sum += a * Math.Sin((f * u) + p);
        }

        return sum;
    }

    /// <summary>Specular reflections from the contact plate, oil and moisture: small hard spots and a
    /// few broad soft sheens.</summary>
    private static void PaintGlare(SyntheticTrichoscopySpec spec, int seed, Mat canvas, double ppm)
    {
        if (spec.Glare <= 0)
        {
            return;
        }

        int w = spec.WidthPixels, h = spec.HeightPixels;
        var rng = SyntheticRandom.Derive(seed, "glare");
        using var spots = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
        using var sheen = new Mat(h, w, MatType.CV_32FC1, Scalar.All(0));
        var areaMm2 = w * h / (ppm * ppm);
        var spotCount = (int)Math.Round(areaMm2 * 6 * spec.Glare);
        for (var k = 0; k < spotCount; k++)
        {
            var r = rng.Uniform(0.004, 0.02) * ppm;
            var axes = new Size(Math.Max(1, r * rng.Uniform(0.6, 1.4)), Math.Max(1, r));
            Cv2.Ellipse(spots, new Point(rng.Uniform(0, w), rng.Uniform(0, h)), axes, rng.Uniform(0, 180), 0, 360, Scalar.All(rng.Uniform(0.3, 1.0)), -1, LineTypes.Link8);
        }

        var sheenCount = 1 + rng.NextInt(3);
        for (var k = 0; k < sheenCount; k++)
        {
            var axes = new Size(rng.Uniform(0.2, 0.7) * ppm, rng.Uniform(0.1, 0.4) * ppm);
            Cv2.Ellipse(sheen, new Point(rng.Uniform(0, w), rng.Uniform(0, h)), axes, rng.Uniform(0, 180), 0, 360, Scalar.All(rng.Uniform(0.5, 1.0)), -1, LineTypes.Link8);
        }

        Cv2.GaussianBlur(spots, spots, new Size(0, 0), Math.Max(0.8, 0.006 * ppm));
        BlurLarge(sheen, Math.Max(2.0, 0.12 * ppm));
        var c = Floats(canvas);
        var sp = Floats(spots);
        var sh = Floats(sheen);
        for (var i = 0; i < sp.Length; i++)
        {
            var g = spec.Glare * Math.Clamp((0.7 * sp[i]) + (0.25 * sh[i]), 0, 1);
            if (g <= 0)
            {
                continue;
            }

            // Reflections of the white LED ring carry a faint blue cast.
            c[3 * i] += (float)(g * (1.0 - c[3 * i]));
            c[(3 * i) + 1] += (float)(g * 0.97 * (1.0 - c[(3 * i) + 1]));
            c[(3 * i) + 2] += (float)(g * 0.93 * (1.0 - c[(3 * i) + 2]));
        }
    }

    private static void ApplyOptics(SyntheticTrichoscopySpec spec, Mat canvas, (double CentreX, double CentreY, double RadiusPixels, double SoftnessPixels)? rim)
    {
        int w = spec.WidthPixels, h = spec.HeightPixels;
        if (spec.BlurSigmaPixels > 0.05)
        {
            Cv2.GaussianBlur(canvas, canvas, new Size(0, 0), spec.BlurSigmaPixels);
        }

        using var defocused = new Mat();
        var defocus = spec.EdgeDefocusSigmaPixels > 0.05;
        if (defocus)
        {
            Cv2.GaussianBlur(canvas, defocused, new Size(0, 0), spec.EdgeDefocusSigmaPixels);
        }

        var c = Floats(canvas);
        var d = defocus ? Floats(defocused) : default;
        var halfDiagonal = 0.5 * Math.Sqrt((double)(w * w) + (h * h));
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var rx = x + 0.5 - (w / 2.0);
                var ry = y + 0.5 - (h / 2.0);
                var r = Math.Sqrt((rx * rx) + (ry * ry)) / halfDiagonal;
                var blend = defocus ? SmoothStep(0.45, 1.0, r) : 0;
                var gain = 1.0 - (spec.Vignetting * Math.Pow(r, 2.2));
                if (rim is { } rr)
                {
                    var ex = x + 0.5 - rr.CentreX;
                    var ey = y + 0.5 - rr.CentreY;
                    var dist = Math.Sqrt((ex * ex) + (ey * ey));
                    gain *= 1.0 - (0.93 * SmoothStep(rr.RadiusPixels - rr.SoftnessPixels, rr.RadiusPixels + rr.SoftnessPixels, dist));
                }

                var i = 3 * ((y * w) + x);
                for (var ch = 0; ch < 3; ch++)
                {
                    var v = defocus ? c[i + ch] + (blend * (d[i + ch] - c[i + ch])) : c[i + ch];
                    c[i + ch] = (float)(v * gain);
                }
            }
        }
    }

    private static void AddNoise(SyntheticTrichoscopySpec spec, int seed, Mat canvas)
    {
        if (spec.NoiseSigma <= 0)
        {
            return;
        }

        var rng = SyntheticRandom.Derive(seed, "noise");
        var sigma = spec.NoiseSigma / 255.0;
        var c = Floats(canvas);
        for (var i = 0; i < c.Length; i++)
        {
            c[i] += (float)(sigma * rng.Normal());
        }
    }
}
