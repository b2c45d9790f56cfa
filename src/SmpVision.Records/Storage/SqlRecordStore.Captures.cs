using System.Data.Common;

namespace SmpVision.Records.Storage;

/// <summary>Captures, comparisons, history, deletion and the orphan sweep.</summary>
public abstract partial class SqlRecordStore
{
    /// <inheritdoc />
    public async Task<CaptureRecord?> CreateCaptureAsync(string clinicId, NewCapture capture, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(capture);
        if (await GetVisitAsync(clinicId, capture.VisitId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null; // checked first so that a wrong visit id writes no file
        }

        await _fileLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await InsertCaptureAsync(clinicId, capture, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _fileLock.Release();
        }
    }

    /// <summary>
    /// In one write transaction holding the photo's lock (so no delete or sweep of the same photo,
    /// in any process, runs in between): re-checks the visit, writes the photo durably, and only
    /// then inserts the row. A crash before the commit leaves at most the orphan file.
    /// </summary>
    private async Task<CaptureRecord?> InsertCaptureAsync(string clinicId, NewCapture c, CancellationToken cancellationToken)
    {
        var sha = ContentAddressedImages.Hash(c.Image.Span);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(connection, cancellationToken).ConfigureAwait(false);
        await LockImageAsync(connection, tx, sha, cancellationToken).ConfigureAwait(false);
        var patients = await QueryAsync(connection, tx, "SELECT patient_id FROM visits WHERE clinic_id = @c AND visit_id = @v", r => r.GetString(0),
            cancellationToken, ("c", clinicId), ("v", c.VisitId)).ConfigureAwait(false);
        if (patients.Count == 0)
        {
            return null; // deleted meanwhile; nothing was written
        }

        // 1. The photo is durable before any row can refer to it.
        await Images.WriteDurableAsync(c.Image, cancellationToken).ConfigureAwait(false);
        // 2. The row, committed with the lock still held.
        var record = new CaptureRecord(RecordIds.New("cap"), clinicId, patients[0], c.VisitId, c.Facts, sha, c.Image.Length, c.Versions, c.OptionsJson, c.AnalysisJson, c.Measurements, FromMs(NowMs()));
        var m = c.Measurements;
        await ExecAsync(connection, tx, $"INSERT INTO captures ({CaptureColumns}) VALUES (@id, @c, @p, @v, @zone, @view, @mod, @dev, @ss, @ppm, @sha, @size, @sv, @pv, @mv, @ov, @opt, @an, @hc, @fc, @hd, @hse, @fd, @fse, @bald, @t)",
            cancellationToken,
            ("id", record.CaptureId), ("c", clinicId), ("p", record.PatientId), ("v", c.VisitId),
            ("zone", c.Facts.Zone), ("view", c.Facts.View), ("mod", c.Facts.Modality), ("dev", c.Facts.DeviceId), ("ss", c.Facts.ScaleSource), ("ppm", c.Facts.PixelsPerMillimetre),
            ("sha", sha), ("size", (long)c.Image.Length), ("sv", c.Versions.Service), ("pv", c.Versions.Pipeline), ("mv", c.Versions.Model), ("ov", c.Versions.OpenCv),
            ("opt", c.OptionsJson), ("an", c.AnalysisJson), ("hc", m.HairCount), ("fc", m.FollicularUnitCount),
            ("hd", m.HairsPerSquareCentimetre), ("hse", m.HairsPerSquareCentimetreStandardError), ("fd", m.FollicularUnitsPerSquareCentimetre), ("fse", m.FollicularUnitsPerSquareCentimetreStandardError),
            ("bald", m.BaldFractionOfScalp), ("t", record.CreatedAt.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <inheritdoc />
    public async Task<CaptureRecord?> GetCaptureAsync(string clinicId, string captureId, CancellationToken cancellationToken = default)
    {
        RecordIds.Require(captureId, "capture_id");
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(connection, null, $"SELECT {CaptureColumns} FROM captures WHERE clinic_id = @c AND capture_id = @id", ReadCapture,
            cancellationToken, ("c", clinicId), ("id", captureId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public Task<byte[]> ReadImageAsync(CaptureRecord capture, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(capture);
        return Images.ReadVerifiedAsync(capture.ImageSha256, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Page<CaptureRecord>?> ListCapturesAsync(string clinicId, string visitId, PageRequest page, CancellationToken cancellationToken = default)
    {
        var after = RecordIds.FromPageToken(page.Token);
        if (await GetVisitAsync(clinicId, visitId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(connection, null, $"SELECT {CaptureColumns} FROM captures WHERE clinic_id = @c AND visit_id = @v AND capture_id > @a ORDER BY capture_id LIMIT @n",
            ReadCapture, cancellationToken, ("c", clinicId), ("v", visitId), ("a", after), ("n", page.EffectiveSize + 1)).ConfigureAwait(false);
        return ToPage(rows, page, c => c.CaptureId);
    }

    /// <inheritdoc />
    public async Task<DeletionSummary?> DeleteCaptureAsync(string clinicId, string captureId, CancellationToken cancellationToken = default)
    {
        RecordIds.Require(captureId, "capture_id");
        const string Scope = "clinic_id = @c AND capture_id = @id";
        return await DeleteAsync(
            "SELECT 1 FROM captures WHERE " + Scope,
            "SELECT image_sha256 FROM captures WHERE " + Scope,
            ["DELETE FROM comparisons WHERE clinic_id = @c AND (before_capture_id = @id OR after_capture_id = @id)", "DELETE FROM captures WHERE " + Scope],
            [("c", clinicId), ("id", captureId)],
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One delete: in a transaction, checks the record exists, collects the photo hashes it
    /// covers and runs the deletes (their row counts, in the order comparisons, captures, visits,
    /// fill the summary); after the commit removes the photo files no capture references any more.
    /// </summary>
    private async Task<DeletionSummary?> DeleteAsync(string existsSql, string hashesSql, string[] deletes, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        await _fileLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var counts = new List<int>();
            List<string> hashes;
            await using (var connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                await using var tx = await BeginAsync(connection, cancellationToken).ConfigureAwait(false);
                if ((await QueryAsync(connection, tx, existsSql, r => 1, cancellationToken, parameters).ConfigureAwait(false)).Count == 0)
                {
                    return null;
                }

                hashes = await QueryAsync(connection, tx, hashesSql, r => r.GetString(0), cancellationToken, parameters).ConfigureAwait(false);
                foreach (var sql in deletes)
                {
                    counts.Add(await ExecAsync(connection, tx, sql, cancellationToken, parameters).ConfigureAwait(false));
                }

                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            var files = await DeleteUnreferencedAsync(hashes.Distinct(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            // deletes are ordered comparisons, captures[, visits[, patient]]
            return new DeletionSummary(counts.Count > 2 ? counts[2] : 0, counts[1], counts[0], files);
        }
        finally
        {
            _fileLock.Release();
        }
    }

    /// <summary>
    /// Deletes the files of these hashes that no capture row references. Each check and delete runs
    /// in a write transaction holding the photo's lock, so a capture of the same photo being
    /// written by another process cannot lose its file in between.
    /// </summary>
    private async Task<int> DeleteUnreferencedAsync(IEnumerable<string> hashes, CancellationToken cancellationToken)
    {
        var removed = 0;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var sha in hashes)
        {
            await using var tx = await BeginAsync(connection, cancellationToken).ConfigureAwait(false);
            await LockImageAsync(connection, tx, sha, cancellationToken).ConfigureAwait(false);
            var used = await QueryAsync(connection, tx, "SELECT 1 FROM captures WHERE image_sha256 = @h LIMIT 1", r => 1, cancellationToken, ("h", sha)).ConfigureAwait(false);
            if (used.Count == 0 && Images.Delete(sha))
            {
                removed++;
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    /// <inheritdoc />
    public async Task<int> SweepOrphanFilesAsync(TimeSpan minimumAge, CancellationToken cancellationToken = default)
    {
        await _fileLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var cutoff = DateTime.UtcNow - minimumAge;
            var old = Images.Enumerate().Where(f => f.LastWriteUtc <= cutoff).ToList();
            var removed = 0;
            foreach (var temp in old.Where(f => f.Sha256 is null))
            {
                File.Delete(temp.Path); // an interrupted write's temporary file
                removed++;
            }

            removed += await DeleteUnreferencedAsync(old.Where(f => f.Sha256 is not null).Select(f => f.Sha256!), cancellationToken).ConfigureAwait(false);
            return removed;
        }
        finally
        {
            _fileLock.Release();
        }
    }

    private static CaptureRecord ReadCapture(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
        new CaptureFacts(r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8), NullableDouble(r, 9)),
        r.GetString(10), r.GetInt64(11),
        new AnalysisVersions(r.GetString(12), r.GetString(13), r.GetString(14), r.GetString(15)),
        r.GetString(16), r.GetString(17),
        new CaptureMeasurements(r.GetInt64(18), r.GetInt64(19), NullableDouble(r, 20), NullableDouble(r, 21), NullableDouble(r, 22), NullableDouble(r, 23), NullableDouble(r, 24)),
        FromMs(r.GetInt64(25)));

    private static double? NullableDouble(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
}
