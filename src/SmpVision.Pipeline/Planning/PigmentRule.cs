using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Regions;

namespace SmpVision.Pipeline.Planning;

/// <summary>
/// Pigment dilution and needle guidance from measured skin and hair colour. No published
/// skin-type-to-dilution table exists (docs/DOMAIN-SOURCES.md, Pigment shade): this is the project's rule,
/// built from the two practice statements docs/DOMAIN-SOURCES.md gives, and every step is stated in
/// <see cref="PigmentRecommendation.Rule"/>:
/// <list type="number">
/// <item>Base level from the skin's ITA band (Chardon 1991): very light 1, light 2,
/// intermediate 3, tan 3, brown 4, dark 5 ("too dark on fair skin reads blue; darker skin takes
/// bolder dots").</item>
/// <item>Match the stubble: if skin L* minus hair L* is below 20 (grey, blond or light stubble
/// that reads faintly) one level lighter; above 45 (very dark stubble on light skin) one level
/// darker. Project thresholds.</item>
/// <item>Hairline: one level lighter than the body (practice: lighter pigment at the edge).</item>
/// <item>Needles (practice, 0.18-0.30 mm, 0.20/0.25 most used): body 0.25 mm on brown and dark
/// skin (bolder dots), else 0.20 mm; hairline 0.18 mm single point.</item>
/// </list>
/// </summary>
internal static class PigmentRule
{
    /// <summary>Skin minus hair L* below which the stubble reads faintly (project threshold).</summary>
    internal const double FaintStubbleLightnessDifference = 20.0;

    /// <summary>Skin minus hair L* above which the stubble reads strongly (project threshold).</summary>
    internal const double StrongStubbleLightnessDifference = 45.0;

    /// <summary>
    /// The recommendation from the frame's one measured colour (the same record the response
    /// reports as measurements.colour), so the plan's skin colour, ITA and band are the measured ones.
    /// </summary>
    internal static PigmentRecommendation Recommend(TrichoscopyColour? colour, bool colourCalibrated)
    {
        var skin = colour?.Skin;
        var hair = colour?.Hair;
        double? ita = colour?.IndividualTypologyAngleDegrees;
        var band = colour?.Band ?? ItaBand.Unspecified;
        var level = band switch
        {
            ItaBand.VeryLight => 1,
            ItaBand.Light => 2,
            ItaBand.Intermediate or ItaBand.Tan => 3,
            ItaBand.Brown => 4,
            ItaBand.Dark => 5,
            _ => 3,
        };
        var steps = new List<string>
        {
            skin is null
                ? "skin colour not measured: middle level 3"
                : band == ItaBand.Unspecified
                    ? $"skin colour unreliable (b* {skin.Value.B:F1} <= {CieLab.MinReliableSkinB:F0}: colour cast or dye, no skin tone to read): middle level 3"
                    : $"skin ITA {ita:F0} deg ({band}, Chardon 1991) -> base level {level}",
        };
        double? dl = colour?.HairSkinLightnessDifference;
        if (dl is { } d)
        {
            if (d < FaintStubbleLightnessDifference)
            {
                level--;
                steps.Add($"hair only {d:F0} L* darker than skin (faint stubble) -> one lighter");
            }
            else if (d > StrongStubbleLightnessDifference)
            {
                level++;
                steps.Add($"hair {d:F0} L* darker than skin (strong stubble) -> one darker");
            }
            else
            {
                steps.Add($"hair {d:F0} L* darker than skin -> no change");
            }
        }
        else
        {
            steps.Add("hair colour not measured -> no stubble adjustment");
        }

        level = Math.Clamp(level, 1, 5);
        var hairlineLevel = Math.Max(1, level - 1);
        var bold = band is ItaBand.Brown or ItaBand.Dark;
        var body = bold ? 0.25 : 0.20;
        steps.Add($"hairline one lighter (level {hairlineLevel}); needles {body:F2} mm body, 0.18 mm single point at the hairline (practice, docs/DOMAIN-SOURCES.md)");
        steps.Add("no published skin-type-to-dilution table exists (docs/DOMAIN-SOURCES.md): project rule");
        if (!colourCalibrated)
        {
            steps.Add("no colour chart: colours carry camera error");
        }

        return new PigmentRecommendation(level, hairlineLevel, skin, hair, ita, band, dl, body, 0.18, colourCalibrated, string.Join("; ", steps) + ".");
    }
}
