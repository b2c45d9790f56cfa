using SmpVision.Contracts.V1;
using SmpVision.Records;
using SmpVision.Service.Hosting;
using SmpVision.Service.Mapping;

namespace SmpVision.Service.Records;

/// <summary>
/// Compares two stored captures: reads both photos (checksums verified), analyses them again with
/// the current pipeline and model through the same path as Compare, and says whether the stored
/// results came from other versions.
/// </summary>
internal sealed class StoredComparisons(IRecordStore store, AnalysisRunner runner)
{
    public async Task<(NewComparison Stored, CompareResponse Result)> CompareAsync(CaptureRecord before, CaptureRecord after, bool returnChangeMap, CancellationToken cancellationToken)
    {
        var beforeOptions = RecordMapper.FromJson<AnalysisOptions>(before.OptionsJson);
        var afterOptions = RecordMapper.FromJson<AnalysisOptions>(after.OptionsJson);
        var request = RequestMapper.ToPipeline(beforeOptions, "before_capture.options");
        var afterScale = RequestMapper.ToScale(afterOptions.Scale, "after_capture.options.scale");
        var beforeImage = await store.ReadImageAsync(before, cancellationToken).ConfigureAwait(false);
        var afterImage = await store.ReadImageAsync(after, cancellationToken).ConfigureAwait(false);
        var comparison = await runner.CompareAsync(beforeImage, afterImage, request, afterScale, returnChangeMap, cancellationToken).ConfigureAwait(false);
        var result = ResponseMapper.ToProto(comparison, request.Output);

        var current = RecordMapper.FromProto(result.Before?.Versions);
        var stale = new[] { ("before", before), ("after", after) }.Where(c => !c.Item2.Versions.SameAnalysisAs(current)).ToList();
        var note = stale.Count == 0
            ? ""
            : string.Join(" ", stale.Select(s => $"The {s.Item1} capture was analysed by pipeline {s.Item2.Versions.Pipeline} / model {s.Item2.Versions.Model}.")) +
              $" Both photos were analysed again with the current pipeline {current.Pipeline} / model {current.Model} for this comparison; the stored capture results are unchanged.";

        // The change map is returned, not stored; timings describe this run only.
        var toStore = result.Clone();
        toStore.ChangeMapPng = Google.Protobuf.ByteString.Empty;
        toStore.Timings.Clear();
        toStore.Before?.Timings.Clear();
        toStore.After?.Timings.Clear();
        var stored = new NewComparison(before.CaptureId, after.CaptureId, current, before.Versions, after.Versions, stale.Count > 0, note, RecordMapper.ToJson(toStore));
        return (stored, result);
    }
}
