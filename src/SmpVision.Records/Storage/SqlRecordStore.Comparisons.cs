using System.Data.Common;

namespace SmpVision.Records.Storage;

/// <summary>Comparisons and the history query.</summary>
public abstract partial class SqlRecordStore
{
    /// <inheritdoc />
    public async Task<ComparisonRecord?> CreateComparisonAsync(string clinicId, NewComparison comparison, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        RecordIds.Require(comparison.BeforeCaptureId, "before_capture_id");
        RecordIds.Require(comparison.AfterCaptureId, "after_capture_id");
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(connection, cancellationToken).ConfigureAwait(false);
        var owners = await QueryAsync(connection, tx, "SELECT capture_id, patient_id FROM captures WHERE clinic_id = @c AND capture_id IN (@b, @a)",
            r => (Capture: r.GetString(0), Patient: r.GetString(1)), cancellationToken, ("c", clinicId), ("b", comparison.BeforeCaptureId), ("a", comparison.AfterCaptureId)).ConfigureAwait(false);
        var before = owners.FirstOrDefault(o => o.Capture == comparison.BeforeCaptureId);
        var after = owners.FirstOrDefault(o => o.Capture == comparison.AfterCaptureId);
        if (before.Capture is null || after.Capture is null)
        {
            return null;
        }

        if (before.Patient != after.Patient)
        {
            throw new RecordArgumentException("after_capture_id", "The two captures belong to different patients; compare captures of one patient.");
        }

        var record = new ComparisonRecord(RecordIds.New("cmp"), clinicId, before.Patient, comparison.BeforeCaptureId, comparison.AfterCaptureId, comparison.Versions,
            comparison.BeforeCaptureVersions, comparison.AfterCaptureVersions, comparison.Reanalysed, comparison.ReanalysisNote, comparison.ResultJson, FromMs(NowMs()));
        await ExecAsync(connection, tx, $"INSERT INTO comparisons ({ComparisonColumns}) VALUES (@id, @c, @p, @b, @a, @vj, @bj, @aj, @re, @note, @res, @t)", cancellationToken,
            ("id", record.ComparisonId), ("c", clinicId), ("p", record.PatientId), ("b", record.BeforeCaptureId), ("a", record.AfterCaptureId),
            ("vj", ToJson(record.Versions)), ("bj", ToJson(record.BeforeCaptureVersions)), ("aj", ToJson(record.AfterCaptureVersions)),
            ("re", record.Reanalysed ? 1 : 0), ("note", record.ReanalysisNote), ("res", record.ResultJson), ("t", record.CreatedAt.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <inheritdoc />
    public async Task<ComparisonRecord?> GetComparisonAsync(string clinicId, string comparisonId, CancellationToken cancellationToken = default)
    {
        RecordIds.Require(comparisonId, "comparison_id");
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(connection, null, $"SELECT {ComparisonColumns} FROM comparisons WHERE clinic_id = @c AND comparison_id = @id", ReadComparison,
            cancellationToken, ("c", clinicId), ("id", comparisonId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<Page<ComparisonRecord>?> ListComparisonsAsync(string clinicId, string patientId, PageRequest page, CancellationToken cancellationToken = default)
    {
        var after = RecordIds.FromPageToken(page.Token);
        if (await GetPatientAsync(clinicId, patientId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(connection, null, $"SELECT {ComparisonColumns} FROM comparisons WHERE clinic_id = @c AND patient_id = @p AND comparison_id > @a ORDER BY comparison_id LIMIT @n",
            ReadComparison, cancellationToken, ("c", clinicId), ("p", patientId), ("a", after), ("n", page.EffectiveSize + 1)).ConfigureAwait(false);
        return ToPage(rows, page, c => c.ComparisonId);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<HistoryRow>?> GetHistoryAsync(string clinicId, string patientId, string? zone, CancellationToken cancellationToken = default)
    {
        if (await GetPatientAsync(clinicId, patientId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var sql = "SELECT v.visit_id, v.visit_date, c.capture_id, c.zone, c.view_kind, c.modality, c.device_id, c.scale_source, c.pixels_per_mm, " +
                  "c.hair_count, c.fu_count, c.hairs_per_cm2, c.hairs_per_cm2_se, c.fu_per_cm2, c.fu_per_cm2_se, c.bald_fraction, " +
                  "c.service_version, c.pipeline_version, c.model_version, c.opencv_version " +
                  "FROM captures c JOIN visits v ON v.visit_id = c.visit_id " +
                  "WHERE c.clinic_id = @c AND c.patient_id = @p" + (zone is null ? "" : " AND c.zone = @z") +
                  " ORDER BY v.visit_date, c.capture_id";
        return await QueryAsync(connection, null, sql, ReadHistory, cancellationToken, ("c", clinicId), ("p", patientId), ("z", zone)).ConfigureAwait(false);
    }

    private static ComparisonRecord ReadComparison(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
        FromJson(r.GetString(5)), FromJson(r.GetString(6)), FromJson(r.GetString(7)),
        Convert.ToInt64(r.GetValue(8), System.Globalization.CultureInfo.InvariantCulture) != 0, r.GetString(9), r.GetString(10), FromMs(r.GetInt64(11)));

    private static HistoryRow ReadHistory(DbDataReader r) => new(
        r.GetString(0), ParseDate(r.GetString(1)), r.GetString(2),
        new CaptureFacts(r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), NullableDouble(r, 8)),
        new CaptureMeasurements(r.GetInt64(9), r.GetInt64(10), NullableDouble(r, 11), NullableDouble(r, 12), NullableDouble(r, 13), NullableDouble(r, 14), NullableDouble(r, 15)),
        new AnalysisVersions(r.GetString(16), r.GetString(17), r.GetString(18), r.GetString(19)));
}
