using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>
/// Named families of specs for generated sets. Each draws its variation from the frame seed, so a
/// set is reproducible from (preset, seed).
/// <list type="bullet">
/// <item><c>clean</c>: defaults, light skin, dark hair, PNG, no overlays: a sanity set.</item>
/// <item><c>mixed</c>: skin ITA -50..70, every hair colour, density 30-120 FU/cm2, widths, overlays,
/// dye, glare, blur, noise and JPEG varied as on the dev set.</item>
/// <item><c>regions</c>: like mixed, plus thinning, hairless and scar regions (strip, FUE, plug).</item>
/// <item><c>dev</c>: close to the real dev set (shared/data/README.md): ITA 15-55 skin under
/// the camera's cool cast, dark hair, density 50-110 FU/cm2, its overlays, JPEG 85-95.</item>
/// </list>
/// </summary>
public static class SyntheticPresets
{
    public static IReadOnlyList<string> Names { get; } = ["mixed", "clean", "regions", "dev"];

    /// <summary>The spec of frame <paramref name="seed"/> of a preset; size and scale may be overridden.</summary>
    public static SyntheticTrichoscopySpec Create(string preset, int seed, int? widthPixels = null, int? heightPixels = null, double? pixelsPerMillimetre = null)
    {
        var baseSpec = new SyntheticTrichoscopySpec();
        baseSpec = baseSpec with
        {
            WidthPixels = widthPixels ?? baseSpec.WidthPixels,
            HeightPixels = heightPixels ?? baseSpec.HeightPixels,
            PixelsPerMillimetre = pixelsPerMillimetre ?? baseSpec.PixelsPerMillimetre,
        };
        var rng = SyntheticRandom.Derive(seed, "preset:" + preset);
        return preset switch
        {
            "clean" => baseSpec,
            "mixed" => Mixed(baseSpec, rng),
            "regions" => WithRegions(Mixed(baseSpec, rng), rng),
            "dev" => DevLike(baseSpec, rng),
            _ => throw new ArgumentException($"Unknown preset '{preset}'. Known: {string.Join(", ", Names)}.", nameof(preset)),
        };
    }

    private static SyntheticTrichoscopySpec Mixed(SyntheticTrichoscopySpec s, SyntheticRandom rng)
    {
        // Hair colour: dark hair dominates the dev set; light hair still appears.
        var colour = (SyntheticHairColour)rng.Weighted([0.3, 0.3, 0.15, 0.1, 0.1, 0.05]);
        var overlays = SyntheticOverlays.None;
        if (rng.Chance(0.35))
        {
            overlays |= SyntheticOverlays.InfoBar;
        }

        if (rng.Chance(0.2))
        {
            overlays |= SyntheticOverlays.GreyBand;
        }

        if (rng.Chance(0.25))
        {
            overlays |= SyntheticOverlays.ScaleBar;
        }

        if (rng.Chance(0.2))
        {
            overlays |= SyntheticOverlays.RedCircle;
        }

        if (rng.Chance(0.15))
        {
            overlays |= SyntheticOverlays.RoundFieldRim;
        }

        var terminal = rng.Uniform(0.6, 0.95);
        return s with
        {
            SkinItaDegrees = rng.Uniform(-50, 70),
            // Half the frames get the cool cast of the dev-set camera (skin near-neutral or bluish).
            WhiteBalance = rng.Chance(0.5) ? new SyntheticChannelGains(rng.Uniform(1.05, 1.25), rng.Uniform(1.02, 1.12), rng.Uniform(0.93, 1.0)) : SyntheticChannelGains.Neutral,
            HairColour = colour,
            FollicularUnitsPerSquareCentimetre = rng.Uniform(30, 120),
            TerminalFraction = terminal,
            VellusFraction = rng.Uniform(0.0, Math.Min(0.15, 1 - terminal)),
            HairLengthMillimetres = new SyntheticRange(rng.Uniform(0.15, 0.4), rng.Uniform(0.6, 1.2)),
            DyeMarks = rng.Chance(0.25) ? 1 + rng.NextInt(5) : 0,
            LooseHairFragments = rng.Chance(0.4) ? 1 + rng.NextInt(2) : 0,
            Overlays = overlays,
            Glare = rng.Uniform(0, 0.7),
            SkinTexture = rng.Uniform(0.5, 1.5),
            Vignetting = rng.Uniform(0, 0.35),
            BlurSigmaPixels = rng.Uniform(0.3, 2.5) * s.PixelsPerMillimetre / 361.0,
            EdgeDefocusSigmaPixels = rng.Uniform(0, 8) * s.PixelsPerMillimetre / 361.0,
            NoiseSigma = rng.Uniform(0.5, 5),
            JpegQuality = rng.Chance(0.7) ? 70 + rng.NextInt(26) : null,
        };
    }

    private static SyntheticTrichoscopySpec DevLike(SyntheticTrichoscopySpec s, SyntheticRandom rng)
    {
        var mixed = Mixed(s, rng);
        var terminal = rng.Uniform(0.75, 0.95);
        return mixed with
        {
            SkinItaDegrees = rng.Uniform(15, 55),
            WhiteBalance = new SyntheticChannelGains(rng.Uniform(1.08, 1.25), rng.Uniform(1.04, 1.12), rng.Uniform(0.93, 1.0)),
            HairColour = (SyntheticHairColour)rng.Weighted([0.5, 0.4, 0.1]),
            FollicularUnitsPerSquareCentimetre = rng.Uniform(50, 110),
            TerminalFraction = terminal,
            VellusFraction = rng.Uniform(0.0, Math.Min(0.1, 1 - terminal)),
            HairLengthMillimetres = new SyntheticRange(0.25, 0.9),
            JpegQuality = 85 + rng.NextInt(11),
        };
    }

    private static SyntheticTrichoscopySpec WithRegions(SyntheticTrichoscopySpec s, SyntheticRandom rng)
    {
        double w = s.WidthPixels, h = s.HeightPixels, ppm = s.PixelsPerMillimetre;
        var regions = new List<SyntheticRegionSpec>();
        var pick = rng.NextInt(5);
        var centre = new PointPixels(rng.Uniform(0.3, 0.7) * w, rng.Uniform(0.3, 0.7) * h);
        switch (pick)
        {
            case 0:
                regions.Add(SyntheticRegionSpec.Thinning(
                    SyntheticShape.Ellipse(centre, rng.Uniform(0.2, 0.45) * w, rng.Uniform(0.2, 0.45) * h, rng.Uniform(0, 180)),
                    rng.Uniform(0.2, 0.6)));
                break;
            case 1:
                // A hairless patch entering from one side: half the frame, split by a slanted line.
                var x = rng.Uniform(0.3, 0.7) * w;
                var slant = rng.Uniform(-0.2, 0.2) * w;
                regions.Add(SyntheticRegionSpec.Hairless(SyntheticShape.FromPolygon(new PolygonPixels(
                [
                    new PointPixels(x + slant, -1), new PointPixels(w + 1, -1), new PointPixels(w + 1, h + 1), new PointPixels(x - slant, h + 1),
                ]))));
                break;
            case 2:
                // Strip scar 1-2.5 mm wide crossing the frame.
                var angle = rng.Uniform(-0.4, 0.4);
                var half = 0.8 * Math.Max(w, h);
                regions.Add(SyntheticRegionSpec.LinearStripScar(
                    new PointPixels(centre.X - (half * Math.Cos(angle)), centre.Y - (half * Math.Sin(angle))),
                    new PointPixels(centre.X + (half * Math.Cos(angle)), centre.Y + (half * Math.Sin(angle))),
                    rng.Uniform(1.0, 2.5) * ppm,
                    (SyntheticScarTone)rng.NextInt(3)));
                break;
            case 3:
                // FUE punch scars: 0.8-1 mm dots.
                var dots = 1 + rng.NextInt(3);
                for (var i = 0; i < dots; i++)
                {
                    regions.Add(SyntheticRegionSpec.PunctateFueScar(
                        new PointPixels(rng.Uniform(0.15, 0.85) * w, rng.Uniform(0.15, 0.85) * h),
                        rng.Uniform(0.8, 1.0) * ppm,
                        SyntheticScarTone.Hypopigmented));
                }

                break;
            default:
                regions.Add(SyntheticRegionSpec.PlugScar(centre, rng.Uniform(2.0, 3.0) * ppm, SyntheticScarTone.Pink));
                break;
        }

        return s with { Regions = regions };
    }
}
