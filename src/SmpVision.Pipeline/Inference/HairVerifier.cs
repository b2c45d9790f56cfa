using OpenCvSharp;
using SmpVision.Pipeline.Measurement;

namespace SmpVision.Pipeline.Inference;

/// <summary>
/// The learned hair-candidate verifier stage: scores every detected hair instance with the
/// verifier model (features: <see cref="HairCandidateFeatures"/>; model card: models/README.md,
/// trained on the even patients of the real trichoscopy dev set) and drops those scoring under
/// <see cref="HairVerifierOptions.MinScore"/> (scale-bar remnants, dye, fragments, skin furrows).
/// Kept hairs are renumbered from 0 and follicular units are rebuilt from the kept hairs (a unit
/// left empty disappears). Measures nothing new; it only filters: the hair mask (coverage,
/// colour) stays as segmented.
/// </summary>
internal static class HairVerifier
{
    /// <summary>
    /// The extraction with likely false hairs removed; the input itself when disabled, empty, or
    /// when the frame's scale lies outside the model's training range (HairVerifierOptions.MinPixelsPerMillimetre..MaxPixelsPerMillimetre).
    /// </summary>
    public static HairExtraction Apply(
        Mat bgr,
        Mat hairMask,
        Mat analysable,
        HairExtraction extraction,
        double sizingPixelsPerMillimetre,
        HairVerifierOptions options,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(extraction);
        ArgumentNullException.ThrowIfNull(options);
        if (extraction.Hairs.Count == 0 || !AppliesAt(options, sizingPixelsPerMillimetre))
        {
            return extraction;
        }

        var rows = HairCandidateFeatures.Compute(bgr, hairMask, analysable, extraction.Hairs, extraction.FollicularUnits,
            sizingPixelsPerMillimetre, extraction.ReferenceShaftWidthPixels, ct);
        ct.ThrowIfCancellationRequested();
        var scores = HairVerifierModel.Get(options.ModelPath).Score(rows, extraction.Hairs.Count);
        var keep = new bool[extraction.Hairs.Count];
        for (int i = 0; i < keep.Length; i++)
        {
            keep[i] = scores[i] >= options.MinScore;
        }

        return Filter(extraction, keep);
    }

    /// <summary>Whether the verifier runs at this scale: enabled, and within the model's training range.</summary>
    public static bool AppliesAt(HairVerifierOptions options, double sizingPixelsPerMillimetre)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Enabled
            && sizingPixelsPerMillimetre >= options.MinPixelsPerMillimetre
            && sizingPixelsPerMillimetre <= options.MaxPixelsPerMillimetre;
    }

    /// <summary>
    /// The model identifier reported with results when the verifier runs: the embedded model's version,
    /// or the file name of an overriding model (its provenance is the operator's).
    /// </summary>
    public static string ModelIdentifier(HairVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ModelPath is null ? HairVerifierModel.EmbeddedModelVersion : "file:" + Path.GetFileName(options.ModelPath);
    }

    /// <summary>Keeps the hairs flagged true (by list position), renumbering them and their units.</summary>
    internal static HairExtraction Filter(HairExtraction extraction, IReadOnlyList<bool> keep)
    {
        var newId = new Dictionary<int, int>();
        var hairs = new List<HairInstance>();
        for (int i = 0; i < extraction.Hairs.Count; i++)
        {
            if (keep[i])
            {
                var h = extraction.Hairs[i];
                newId[h.Id] = hairs.Count;
                hairs.Add(h with { Id = hairs.Count });
            }
        }

        if (hairs.Count == extraction.Hairs.Count)
        {
            return extraction;
        }

        var units = new List<FollicularUnit>();
        var unitId = new Dictionary<int, int>();
        foreach (var u in extraction.FollicularUnits)
        {
            var ids = u.HairIds.Where(newId.ContainsKey).Select(id => newId[id]).ToList();
            if (ids.Count == 0)
            {
                continue;
            }

            unitId[u.Id] = units.Count;
            units.Add(u with { Id = units.Count, HairIds = ids });
        }

        for (int i = 0; i < hairs.Count; i++)
        {
            if (unitId.TryGetValue(hairs[i].FollicularUnitId, out var uid))
            {
                hairs[i] = hairs[i] with { FollicularUnitId = uid };
            }
        }

        return extraction with { Hairs = hairs, FollicularUnits = units };
    }
}
