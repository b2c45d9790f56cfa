using System.Globalization;
using SmpVision.Pipeline.Analysis;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Frame colour over a set, for <see cref="AnalyzeManifestCommand"/>: the skin ITA distribution
/// (documented domain -90 to 90 degrees, Chardon 1991), how many frames read skin b* at or below
/// zero (colour cast or dye), whether measurements.colour and plan.pigment agree, and the spread of
/// the planned pigment dilution level between one patient's own fields (manifest column "patient").
/// </summary>
internal sealed class ColourSummary
{
    private readonly List<double> itas = [];
    private readonly Dictionary<string, List<int>> levelsByPatient = new(StringComparer.Ordinal);
    private int frames;
    private int skinBAtOrBelowZero;
    private int unreliable;
    private int withoutIta;
    private int colourPlanDisagree;

    /// <summary>Adds one analysed frame.</summary>
    public void Add(string? patient, ScalpAnalysisResult result)
    {
        frames++;
        if (result.Colour is { } c)
        {
            if (c.Skin is { } skin && skin.B <= 0)
            {
                skinBAtOrBelowZero++;
            }

            if (c.IndividualTypologyAngleDegrees is { } ita)
            {
                itas.Add(ita);
            }
            else
            {
                withoutIta++;
            }

            if (!c.SkinColourReliable)
            {
                unreliable++;
            }

            if (result.Plan is { } plan && plan.Pigment.SkinColour != c.Skin)
            {
                colourPlanDisagree++;
            }
        }

        if (!string.IsNullOrEmpty(patient) && result.Plan is { } p)
        {
            if (!levelsByPatient.TryGetValue(patient, out var list))
            {
                levelsByPatient[patient] = list = [];
            }

            list.Add(p.Pigment.DilutionLevel);
        }
    }

    /// <summary>Prints the summary lines.</summary>
    public void Print()
    {
        var inv = CultureInfo.InvariantCulture;
        itas.Sort();
        string Q(double q) => itas.Count == 0 ? "-" : itas[(int)Math.Round(q * (itas.Count - 1))].ToString("F1", inv);
        Console.WriteLine(string.Create(inv, $"skin ITA (deg): {itas.Count} of {frames} frames report one; min {Q(0)}, p10 {Q(0.1)}, median {Q(0.5)}, p90 {Q(0.9)}, max {Q(1)}; above 90: {itas.Count(i => i > 90)}, below -90: {itas.Count(i => i < -90)}"));
        Console.WriteLine($"skin b* <= 0: {skinBAtOrBelowZero} frames; flagged colour-unreliable: {unreliable}; ITA not reported: {withoutIta}; plan.pigment skin colour differs from measurements.colour: {colourPlanDisagree}");
        if (levelsByPatient.Count == 0)
        {
            return;
        }

        var spreads = levelsByPatient.Values.Where(l => l.Count > 1).Select(l => l.Max() - l.Min()).ToList();
        var histogram = spreads.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
        Console.WriteLine($"pigment dilution spread between one patient's fields (max - min level), {spreads.Count} patients with 2+ fields: {string.Join(", ", histogram)}; 2 or more levels: {spreads.Count(s => s >= 2)}");
    }
}
