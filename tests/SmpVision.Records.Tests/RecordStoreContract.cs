using System.Data.Common;
using System.Diagnostics;
using SmpVision.Records.Storage;

namespace SmpVision.Records.Tests;

/// <summary>
/// The repository tests, run unchanged against every store (SQLite and PostgreSQL subclasses).
/// Each test works in its own clinics (fresh ids), so tests can share one database.
/// </summary>
public abstract class RecordStoreContract : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "smpvision-records-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _clinicA = "clinic-a-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _clinicB = "clinic-b-" + Guid.NewGuid().ToString("N")[..8];

    protected SqlRecordStore Store { get; private set; } = null!;

    /// <summary>A store over this class's database with photos under <paramref name="dataDir"/>.</summary>
    protected abstract SqlRecordStore NewStore(string dataDir);

    /// <summary>The connection argument of the crash probe ("-" for SQLite).</summary>
    protected abstract string ProbeConnection { get; }

    public async Task InitializeAsync()
    {
        Store = NewStore(_dataDir);
        await Store.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Migrations_are_versioned_and_idempotent()
    {
        await Store.MigrateAsync();
        await using var again = NewStore(_dataDir);
        await again.MigrateAsync();
        Assert.Equal(Migrations.All[^1].Version, await again.SchemaVersionAsync());
        // The audit key survives re-migration: patient references stay stable.
        Assert.Equal(Store.PatientReference(_clinicA, "p1"), again.PatientReference(_clinicA, "p1"));
    }

    [Fact]
    public async Task Patients_are_created_once_and_listed_in_pages()
    {
        foreach (var id in new[] { "p3", "p1", "p5", "p2", "p4" })
        {
            await Store.CreatePatientAsync(_clinicA, id);
        }

        await Assert.ThrowsAsync<RecordConflictException>(() => Store.CreatePatientAsync(_clinicA, "p1"));
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.ListPatientsAsync(_clinicA, new PageRequest(2, token));
            seen.AddRange(page.Items.Select(p => p.PatientId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(["p1", "p2", "p3", "p4", "p5"], seen);
        Assert.Equal(3, pages);
        await Assert.ThrowsAsync<RecordArgumentException>(() => Store.ListPatientsAsync(_clinicA, new PageRequest(2, "not-a-token")));
        await Assert.ThrowsAsync<RecordArgumentException>(() => Store.CreatePatientAsync(_clinicA, "has space"));
    }

    [Fact]
    public async Task Captures_store_photos_content_addressed_and_verify_them_on_read()
    {
        var visit = await NewVisitAsync(_clinicA, "p1", new DateOnly(2026, 1, 10));
        var image = Photo(1);
        var capture = await Store.CreateCaptureAsync(_clinicA, NewCapture(visit.VisitId, image, "Vertex", 40));
        Assert.NotNull(capture);
        Assert.Equal(ContentAddressedImages.Hash(image), capture.ImageSha256);
        Assert.Equal(image, await Store.ReadImageAsync(capture));
        var fetched = await Store.GetCaptureAsync(_clinicA, capture.CaptureId);
        Assert.Equal(capture with { }, fetched);

        // Damage the file: the read refuses it instead of returning wrong bytes.
        var path = Store.Images.PathOf(capture.ImageSha256);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[10] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
        await Assert.ThrowsAsync<RecordCorruptException>(() => Store.ReadImageAsync(capture));
    }

    [Fact]
    public async Task Visits_and_captures_are_listed_in_creation_order_in_pages()
    {
        var visit = await NewVisitAsync(_clinicA, "p1", new DateOnly(2026, 1, 10));
        await Store.CreateVisitAsync(_clinicA, "p1", new DateOnly(2026, 2, 10), "second");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Store.CreateCaptureAsync(_clinicA, NewCapture(visit.VisitId, Photo(10 + i), "Vertex", 10 + i)))!.CaptureId);
        }

        var first = await Store.ListCapturesAsync(_clinicA, visit.VisitId, new PageRequest(2, null));
        var second = await Store.ListCapturesAsync(_clinicA, visit.VisitId, new PageRequest(2, first!.NextToken));
        Assert.Equal(ids, first.Items.Concat(second!.Items).Select(c => c.CaptureId));
        Assert.Null(second.NextToken);
        var visits = await Store.ListVisitsAsync(_clinicA, "p1", new PageRequest(0, null));
        Assert.Equal(["", "second"], visits!.Items.Select(v => v.Note));
        Assert.Null(await Store.CreateVisitAsync(_clinicA, "nobody", new DateOnly(2026, 1, 1), ""));
    }

    [Fact]
    public async Task Another_clinic_sees_nothing_of_a_clinics_records()
    {
        var visit = await NewVisitAsync(_clinicA, "p1", new DateOnly(2026, 1, 10));
        var c1 = (await Store.CreateCaptureAsync(_clinicA, NewCapture(visit.VisitId, Photo(1), "Vertex", 40)))!;
        var c2 = (await Store.CreateCaptureAsync(_clinicA, NewCapture(visit.VisitId, Photo(2), "Vertex", 42)))!;
        var cmp = (await Store.CreateComparisonAsync(_clinicA, NewComparison(c1.CaptureId, c2.CaptureId)))!;

        Assert.Null(await Store.GetPatientAsync(_clinicB, "p1"));
        Assert.Empty((await Store.ListPatientsAsync(_clinicB, new PageRequest(0, null))).Items);
        Assert.Null(await Store.ListVisitsAsync(_clinicB, "p1", new PageRequest(0, null)));
        Assert.Null(await Store.GetVisitAsync(_clinicB, visit.VisitId));
        Assert.Null(await Store.ListCapturesAsync(_clinicB, visit.VisitId, new PageRequest(0, null)));
        Assert.Null(await Store.GetCaptureAsync(_clinicB, c1.CaptureId));
        Assert.Null(await Store.GetComparisonAsync(_clinicB, cmp.ComparisonId));
        Assert.Null(await Store.ListComparisonsAsync(_clinicB, "p1", new PageRequest(0, null)));
        Assert.Null(await Store.GetHistoryAsync(_clinicB, "p1", null));
        Assert.Null(await Store.CreateVisitAsync(_clinicB, "p1", new DateOnly(2026, 1, 1), ""));
        Assert.Null(await Store.CreateCaptureAsync(_clinicB, NewCapture(visit.VisitId, Photo(3), "Vertex", 1)));
        Assert.Null(await Store.CreateComparisonAsync(_clinicB, NewComparison(c1.CaptureId, c2.CaptureId)));
        Assert.Null(await Store.DeleteCaptureAsync(_clinicB, c1.CaptureId));
        Assert.Null(await Store.DeleteVisitAsync(_clinicB, visit.VisitId));
        Assert.Null(await Store.DeletePatientAsync(_clinicB, "p1"));
        // Clinic B may use the same patient id for its own, separate patient.
        await Store.CreatePatientAsync(_clinicB, "p1");
        Assert.Empty((await Store.ListVisitsAsync(_clinicB, "p1", new PageRequest(0, null)))!.Items);
        // Nothing of A's was touched.
        Assert.NotNull(await Store.GetComparisonAsync(_clinicA, cmp.ComparisonId));
        Assert.Equal(Photo(1), await Store.ReadImageAsync(c1));
    }

    [Fact]
    public async Task Deleting_a_patient_deletes_visits_captures_comparisons_and_files()
    {
        var v1 = await NewVisitAsync(_clinicA, "p1", new DateOnly(2026, 1, 10));
        var v2 = (await Store.CreateVisitAsync(_clinicA, "p1", new DateOnly(2026, 4, 10), ""))!;
        var c1 = (await Store.CreateCaptureAsync(_clinicA, NewCapture(v1.VisitId, Photo(1), "Vertex", 40)))!;
        var c2 = (await Store.CreateCaptureAsync(_clinicA, NewCapture(v2.VisitId, Photo(2), "Vertex", 44)))!;
        await Store.CreateComparisonAsync(_clinicA, NewComparison(c1.CaptureId, c2.CaptureId));
        // The same photo stored by another clinic keeps its file.
        var other = await NewVisitAsync(_clinicB, "q1", new DateOnly(2026, 1, 1));
        var shared = (await Store.CreateCaptureAsync(_clinicB, NewCapture(other.VisitId, Photo(2), "Vertex", 44)))!;

        var summary = await Store.DeletePatientAsync(_clinicA, "p1");

        Assert.Equal(new DeletionSummary(Visits: 2, Captures: 2, Comparisons: 1, ImageFiles: 1), summary);
        Assert.Null(await Store.GetPatientAsync(_clinicA, "p1"));
        Assert.Null(await Store.GetVisitAsync(_clinicA, v2.VisitId));
        Assert.Null(await Store.GetCaptureAsync(_clinicA, c1.CaptureId));
        Assert.False(File.Exists(Store.Images.PathOf(c1.ImageSha256)));
        Assert.Equal(Photo(2), await Store.ReadImageAsync(shared));
        Assert.Null(await Store.DeletePatientAsync(_clinicA, "p1"));
    }

    [Fact]
    public async Task Deleting_a_capture_or_visit_removes_what_depends_on_it()
    {
        var v1 = await NewVisitAsync(_clinicA, "p1", new DateOnly(2026, 1, 10));
        var c1 = (await Store.CreateCaptureAsync(_clinicA, NewCapture(v1.VisitId, Photo(1), "Vertex", 40)))!;
        var c2 = (await Store.CreateCaptureAsync(_clinicA, NewCapture(v1.VisitId, Photo(2), "Vertex", 41)))!;
        var cmp = (await Store.CreateComparisonAsync(_clinicA, NewComparison(c1.CaptureId, c2.CaptureId)))!;

        Assert.Equal(new DeletionSummary(0, 1, 1, 1), await Store.DeleteCaptureAsync(_clinicA, c2.CaptureId));
        Assert.Null(await Store.GetComparisonAsync(_clinicA, cmp.ComparisonId));
        Assert.Equal(new DeletionSummary(1, 1, 0, 1), await Store.DeleteVisitAsync(_clinicA, v1.VisitId));
        Assert.False(File.Exists(Store.Images.PathOf(c1.ImageSha256)));
        Assert.NotNull(await Store.GetPatientAsync(_clinicA, "p1"));
    }

    [Fact]
    public async Task Comparisons_keep_their_versions_and_refuse_two_patients()
    {
        var v1 = await NewVisitAsync(_clinicA, "p1", new DateOnly(2026, 1, 10));
        var v2 = await NewVisitAsync(_clinicA, "p2", new DateOnly(2026, 1, 10));
        var c1 = (await Store.CreateCaptureAsync(_clinicA, NewCapture(v1.VisitId, Photo(1), "Vertex", 40)))!;
        var c2 = (await Store.CreateCaptureAsync(_clinicA, NewCapture(v1.VisitId, Photo(2), "Vertex", 41)))!;
        var c3 = (await Store.CreateCaptureAsync(_clinicA, NewCapture(v2.VisitId, Photo(3), "Vertex", 41)))!;
        var stored = NewComparison(c1.CaptureId, c2.CaptureId) with { Reanalysed = true, ReanalysisNote = "model changed", BeforeCaptureVersions = new AnalysisVersions("s", "p0", "m0", "o") };
        var cmp = (await Store.CreateComparisonAsync(_clinicA, stored))!;

        var fetched = await Store.GetComparisonAsync(_clinicA, cmp.ComparisonId);
        Assert.Equal(cmp, fetched);
        Assert.True(fetched!.Reanalysed);
        Assert.Equal("m0", fetched.BeforeCaptureVersions.Model);
        Assert.Equal("p1", fetched.PatientId);
        Assert.Single((await Store.ListComparisonsAsync(_clinicA, "p1", new PageRequest(0, null)))!.Items);
        await Assert.ThrowsAsync<RecordArgumentException>(() => Store.CreateComparisonAsync(_clinicA, NewComparison(c1.CaptureId, c3.CaptureId)));
    }

    [Fact]
    public async Task History_is_ordered_by_visit_date_and_filters_by_zone()
    {
        var late = await NewVisitAsync(_clinicA, "p1", new DateOnly(2026, 6, 1));
        var early = (await Store.CreateVisitAsync(_clinicA, "p1", new DateOnly(2026, 1, 1), ""))!;
        await Store.CreateCaptureAsync(_clinicA, NewCapture(late.VisitId, Photo(1), "Vertex", 50));
        await Store.CreateCaptureAsync(_clinicA, NewCapture(early.VisitId, Photo(2), "Vertex", 40));
        await Store.CreateCaptureAsync(_clinicA, NewCapture(early.VisitId, Photo(3), "Frontal", 30));

        var all = await Store.GetHistoryAsync(_clinicA, "p1", null);
        var vertex = await Store.GetHistoryAsync(_clinicA, "p1", "Vertex");

        Assert.Equal(3, all!.Count);
        Assert.Equal([new DateOnly(2026, 1, 1), new DateOnly(2026, 6, 1)], vertex!.Select(r => r.VisitDate));
        Assert.Equal([40L, 50L], vertex!.Select(r => r.Measurements.HairCount));
        Assert.Equal(40 * 2.5, vertex![0].Measurements.HairsPerSquareCentimetre);
    }

    [Fact]
    public async Task Two_instances_writing_and_deleting_the_same_photo_never_lose_a_referenced_file()
    {
        // Two service instances on one database and photo folder (replicas), each with its own in-process lock.
        await using var other = NewStore(_dataDir);
        await other.MigrateAsync();
        var photo = Photo(7);
        for (var round = 0; round < 8; round++)
        {
            var va = await NewVisitAsync(_clinicA, $"a{round}", new DateOnly(2026, 1, 1));
            var vb = await NewVisitAsync(_clinicB, $"b{round}", new DateOnly(2026, 1, 1));
            await other.CreateCaptureAsync(_clinicB, NewCapture(vb.VisitId, photo, "Vertex", 1));

            var create = Store.CreateCaptureAsync(_clinicA, NewCapture(va.VisitId, photo, "Vertex", 1));
            var delete = other.DeletePatientAsync(_clinicB, $"b{round}");
            await Task.WhenAll(create, delete);

            Assert.Equal(photo, await Store.ReadImageAsync((await create)!));
            await Store.DeletePatientAsync(_clinicA, $"a{round}");
            Assert.False(File.Exists(Store.Images.PathOf(ContentAddressedImages.Hash(photo))));
        }
    }

    [Fact]
    public async Task The_sweep_removes_orphan_and_temporary_files_only()
    {
        var visit = await NewVisitAsync(_clinicA, "p1", new DateOnly(2026, 1, 10));
        var kept = (await Store.CreateCaptureAsync(_clinicA, NewCapture(visit.VisitId, Photo(1), "Vertex", 40)))!;
        var orphan = await Store.Images.WriteDurableAsync(Photo(99), CancellationToken.None);
        var temp = Path.Combine(Path.GetDirectoryName(Store.Images.PathOf(orphan))!, orphan + ".abc.tmp");
        await File.WriteAllBytesAsync(temp, [1, 2, 3]);

        Assert.Equal(0, await Store.SweepOrphanFilesAsync(TimeSpan.FromHours(1))); // too young: may be a write in progress
        Assert.Equal(2, await Store.SweepOrphanFilesAsync(TimeSpan.Zero));
        Assert.False(File.Exists(Store.Images.PathOf(orphan)));
        Assert.False(File.Exists(temp));
        Assert.Equal(Photo(1), await Store.ReadImageAsync(kept));
    }

    [Fact]
    public async Task Api_keys_are_hashed_at_rest_and_stop_working_when_revoked()
    {
        var created = await Store.CreateApiKeyAsync(_clinicA, "front desk");
        Assert.Equal(_clinicA, (await Store.AuthenticateAsync(created.Secret))?.ClinicId);
        Assert.Null(await Store.AuthenticateAsync(created.Secret[..^1] + (created.Secret[^1] == 'A' ? 'B' : 'A'))); // one character off
        Assert.Null(await Store.AuthenticateAsync("smpv_0000000000000000_" + new string('a', 43)));
        Assert.Null(await Store.AuthenticateAsync("garbage"));
        Assert.Contains(await Store.ListApiKeysAsync(_clinicA), k => k.KeyId == created.Key.KeyId && k.RevokedAt is null);

        // Only a hash is stored: the secret appears nowhere in the table.
        // smpv_<16 hex key id>_<secret>: the secret itself may contain '_', so cut by position.
        var secretPart = created.Secret[("smpv_".Length + 17)..];
        Assert.Equal(43, secretPart.Length);
        Assert.DoesNotContain(await RawKeyColumnsAsync(created.Key.KeyId), v => v.Contains(secretPart, StringComparison.Ordinal));

        Assert.True(await Store.RevokeApiKeyAsync(created.Key.KeyId));
        Assert.False(await Store.RevokeApiKeyAsync(created.Key.KeyId));
        Assert.Null(await Store.AuthenticateAsync(created.Secret));
        Assert.NotNull((await Store.ListApiKeysAsync(_clinicA)).Single().RevokedAt);
    }

    [Fact]
    public async Task Audit_entries_are_kept_per_clinic_with_hashed_patient_ids()
    {
        var reference = Store.PatientReference(_clinicA, "MRN-12345");
        Assert.DoesNotContain("MRN-12345", reference, StringComparison.Ordinal);
        Assert.NotEqual(reference, Store.PatientReference(_clinicB, "MRN-12345"));
        await Store.AppendAuditAsync(new AuditEntry(DateTimeOffset.UtcNow, "k1", _clinicA, "GetPatient", "patient", reference, reference, "OK"));
        await Store.AppendAuditAsync(new AuditEntry(DateTimeOffset.UtcNow, "k1", _clinicA, "DeletePatient", "patient", reference, reference, "OK"));
        var entries = await Store.ListAuditAsync(_clinicA, 10);
        Assert.Equal(["DeletePatient", "GetPatient"], entries.Select(e => e.Verb));
        Assert.Empty(await Store.ListAuditAsync(_clinicB, 10));
    }

    [Fact]
    public async Task A_crash_between_photo_file_and_row_leaves_no_row_and_an_orphan_the_sweep_removes()
    {
        var output = await RunProbeUntilAsync("hold-after-file", line => line.StartsWith("durable ", StringComparison.Ordinal));
        var sha = output[^1]["durable ".Length..];
        var patient = output.First(l => l.StartsWith("patient ", StringComparison.Ordinal))["patient ".Length..];

        await using var reopened = NewStore(_dataDir);
        await reopened.MigrateAsync();
        var history = await reopened.GetHistoryAsync(_clinicA, patient, null);
        Assert.NotNull(history);
        Assert.Empty(history); // no dangling row
        Assert.True(File.Exists(reopened.Images.PathOf(sha))); // the durable photo, now an orphan
        Assert.Equal(1, await reopened.SweepOrphanFilesAsync(TimeSpan.Zero));
        Assert.Empty(Directory.EnumerateFiles(reopened.Images.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_crash_during_a_stream_of_writes_leaves_every_row_with_its_verified_photo()
    {
        var output = await RunProbeUntilAsync("loop", line => line == "committed 5");
        var patient = output.First(l => l.StartsWith("patient ", StringComparison.Ordinal))["patient ".Length..];

        await using var reopened = NewStore(_dataDir);
        await reopened.MigrateAsync();
        var rows = await reopened.GetHistoryAsync(_clinicA, patient, null);
        Assert.True(rows!.Count >= 5);
        foreach (var row in rows)
        {
            var capture = await reopened.GetCaptureAsync(_clinicA, row.CaptureId);
            Assert.NotNull(await reopened.ReadImageAsync(capture!)); // throws when missing or damaged
        }

        // Whatever the kill interrupted is at most one orphan (or temporary) file; the sweep leaves exactly the referenced photos.
        var before = Directory.EnumerateFiles(reopened.Images.Root, "*", SearchOption.AllDirectories).Count();
        var removed = await reopened.SweepOrphanFilesAsync(TimeSpan.Zero);
        Assert.InRange(removed, 0, 1);
        Assert.Equal(rows.Count, before - removed);
    }

    /// <summary>Starts the crash probe on this store, waits for the line <paramref name="until"/>, kills it (SIGKILL) and returns its output.</summary>
    private async Task<List<string>> RunProbeUntilAsync(string mode, Func<string, bool> until)
    {
        var probe = Path.Combine(AppContext.BaseDirectory, "SmpVision.Records.CrashProbe.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { probe, _dataDir, ProbeConnection, _clinicA, mode })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var lines = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                if (until(line))
                {
                    return lines;
                }
            }

            throw new InvalidOperationException($"The probe ended early: {string.Join('\n', lines)} {await process.StandardError.ReadToEndAsync()}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private async Task<List<string>> RawKeyColumnsAsync(string keyId)
    {
        var values = new List<string>();
        await using var connection = await OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT key_id, clinic_id, name, secret_sha256 FROM api_keys WHERE key_id = '{keyId}'";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                values.Add(reader.GetString(i));
            }
        }

        Assert.NotEmpty(values);
        return values;
    }

    /// <summary>A plain connection to the store's database, for checks the store's API does not offer.</summary>
    protected abstract Task<DbConnection> OpenRawAsync();

    private async Task<VisitRecord> NewVisitAsync(string clinic, string patient, DateOnly date)
    {
        if (await Store.GetPatientAsync(clinic, patient) is null)
        {
            await Store.CreatePatientAsync(clinic, patient);
        }

        return (await Store.CreateVisitAsync(clinic, patient, date, ""))!;
    }

    /// <summary>Photo bytes, the same for a seed within one test, different across tests (which may share a database).</summary>
    private byte[] Photo(int seed)
    {
        var bytes = new byte[4096];
        new Random(seed).NextBytes(bytes);
        System.Text.Encoding.ASCII.GetBytes(_clinicA).CopyTo(bytes, 0);
        return bytes;
    }

    private static NewCapture NewCapture(string visitId, byte[] image, string zone, long hairs) =>
        new(visitId, new CaptureFacts(zone, "CloseUp", "Trichoscopy", "trichoscope-70x", "DeviceProfile", 361),
            image, new AnalysisVersions("0.1.0", "pipe-1", "model-1", "4.13"), "{}", "{\"hairs\":" + hairs + "}",
            new CaptureMeasurements(hairs, hairs / 2, hairs * 2.5, Math.Sqrt(hairs) * 2.5, hairs * 1.25, Math.Sqrt(hairs / 2.0) * 2.5, null));

    private static NewComparison NewComparison(string before, string after)
    {
        var versions = new AnalysisVersions("0.1.0", "pipe-1", "model-1", "4.13");
        return new NewComparison(before, after, versions, versions, versions, false, "", "{}");
    }
}

/// <summary>The repository tests on the embedded SQLite store.</summary>
public sealed class SqliteRecordStoreTests : RecordStoreContract
{
    private string? _dataDir;

    protected override string ProbeConnection => "-";

    protected override SqlRecordStore NewStore(string dataDir)
    {
        _dataDir = dataDir;
        return new SqliteRecordStore(dataDir);
    }

    protected override async Task<DbConnection> OpenRawAsync()
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dataDir!, "records.db")}");
        await connection.OpenAsync();
        return connection;
    }
}

/// <summary>The same repository tests on PostgreSQL (a real server started by <see cref="PostgresServer"/>).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRecordStoreTests(PostgresServer server) : RecordStoreContract
{
    protected override string ProbeConnection => server.SharedDatabase;

    protected override SqlRecordStore NewStore(string dataDir) => new PostgresRecordStore(server.SharedDatabase, dataDir);

    protected override async Task<DbConnection> OpenRawAsync()
    {
        var connection = new Npgsql.NpgsqlConnection(server.SharedDatabase);
        await connection.OpenAsync();
        return connection;
    }
}
