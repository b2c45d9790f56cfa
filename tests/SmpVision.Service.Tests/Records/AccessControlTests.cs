using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using SmpVision.Contracts.V1;
using SmpVision.Service.Admin;

namespace SmpVision.Service.Tests.Records;

/// <summary>API keys, tenant isolation (every verb), statuses and the audit trail.</summary>
[Collection(RecordsServiceCollection.Name)]
public sealed class AccessControlTests(RecordsServiceFixture service)
{
    [Fact]
    public async Task Clinic_b_can_neither_read_list_compare_nor_delete_clinic_a_records()
    {
        var a = service.Records(await service.NewKeyAsync("clinic-iso-a"));
        var b = service.Records(await service.NewKeyAsync("clinic-iso-b"));
        await a.CreatePatientAsync(new CreatePatientRequest { PatientId = "shared-id" });
        var visit = await a.CreateVisitAsync(new CreateVisitRequest { PatientId = "shared-id", VisitDate = "2026-01-01" });
        var c1 = await a.CreateCaptureAsync(new CreateCaptureRequest { VisitId = visit.VisitId, Image = RecordPhotos.Visit1, Options = RecordPhotos.Options() });
        var c2 = await a.CreateCaptureAsync(new CreateCaptureRequest { VisitId = visit.VisitId, Image = RecordPhotos.Visit2, Options = RecordPhotos.Options() });
        var cmp = await a.CompareCapturesAsync(new CompareCapturesRequest { BeforeCaptureId = c1.CaptureId, AfterCaptureId = c2.CaptureId });

        var attempts = new (string Verb, Func<Task> Call)[]
        {
            ("GetPatient", () => b.GetPatientAsync(new GetPatientRequest { PatientId = "shared-id" }).ResponseAsync),
            ("DeletePatient", () => b.DeletePatientAsync(new DeletePatientRequest { PatientId = "shared-id" }).ResponseAsync),
            ("CreateVisit", () => b.CreateVisitAsync(new CreateVisitRequest { PatientId = "shared-id", VisitDate = "2026-01-02" }).ResponseAsync),
            ("GetVisit", () => b.GetVisitAsync(new GetVisitRequest { VisitId = visit.VisitId }).ResponseAsync),
            ("ListVisits", () => b.ListVisitsAsync(new ListVisitsRequest { PatientId = "shared-id" }).ResponseAsync),
            ("DeleteVisit", () => b.DeleteVisitAsync(new DeleteVisitRequest { VisitId = visit.VisitId }).ResponseAsync),
            ("CreateCapture", () => b.CreateCaptureAsync(new CreateCaptureRequest { VisitId = visit.VisitId, Image = RecordPhotos.Visit1, Options = RecordPhotos.Options() }).ResponseAsync),
            ("GetCapture", () => b.GetCaptureAsync(new GetCaptureRequest { CaptureId = c1.CaptureId, IncludeImage = true }).ResponseAsync),
            ("ListCaptures", () => b.ListCapturesAsync(new ListCapturesRequest { VisitId = visit.VisitId }).ResponseAsync),
            ("DeleteCapture", () => b.DeleteCaptureAsync(new DeleteCaptureRequest { CaptureId = c1.CaptureId }).ResponseAsync),
            ("CompareCaptures", () => b.CompareCapturesAsync(new CompareCapturesRequest { BeforeCaptureId = c1.CaptureId, AfterCaptureId = c2.CaptureId }).ResponseAsync),
            ("GetComparison", () => b.GetComparisonAsync(new GetComparisonRequest { ComparisonId = cmp.ComparisonId }).ResponseAsync),
            ("ListComparisons", () => b.ListComparisonsAsync(new ListComparisonsRequest { PatientId = "shared-id" }).ResponseAsync),
            ("GetDensityHistory", () => b.GetDensityHistoryAsync(new GetDensityHistoryRequest { PatientId = "shared-id" }).ResponseAsync),
        };
        foreach (var (verb, call) in attempts)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(ex.StatusCode == StatusCode.NotFound, $"{verb}: {ex.StatusCode}");
            // The answer is the one a missing id gets: nothing says the id exists elsewhere.
            Assert.DoesNotContain("clinic-iso-a", ex.Status.Detail, StringComparison.Ordinal);
        }

        Assert.Empty((await b.ListPatientsAsync(new ListPatientsRequest())).Patients);
        // Clinic A's records are all still there.
        Assert.Equal(2, (await a.ListCapturesAsync(new ListCapturesRequest { VisitId = visit.VisitId })).Captures.Count);
        Assert.Equal(cmp.ComparisonId, (await a.GetComparisonAsync(new GetComparisonRequest { ComparisonId = cmp.ComparisonId })).ComparisonId);
        Assert.Equal(RecordPhotos.Visit1, (await a.GetCaptureAsync(new GetCaptureRequest { CaptureId = c1.CaptureId, IncludeImage = true })).Image);
    }

    [Fact]
    public async Task No_key_an_unknown_key_and_a_revoked_key_are_unauthenticated_everywhere_but_health()
    {
        var key = await service.Keys.CreateApiKeyAsync("clinic-revoke", "soon revoked");
        var valid = service.Records(key.Secret);
        await valid.ListPatientsAsync(new ListPatientsRequest());
        Assert.True(await service.Keys.RevokeApiKeyAsync(key.Key.KeyId));

        foreach (var presented in new string?[] { null, "smpv_0123456789abcdef_" + new string('x', 43), "not-a-key", key.Secret })
        {
            var records = Assert.ThrowsAsync<RpcException>(() => service.Records(presented).ListPatientsAsync(new ListPatientsRequest()).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, (await records).StatusCode);
            var analysis = await Assert.ThrowsAsync<RpcException>(() => service.Analysis(presented).AnalyzeAsync(new AnalyzeRequest { Image = RecordPhotos.Visit1 }).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, analysis.StatusCode);
        }

        // Reflection follows the same rule.
        var reflection = new ServerReflection.ServerReflectionClient(service.Channel);
        using (var call = reflection.ServerReflectionInfo())
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
                await call.ResponseStream.MoveNext(CancellationToken.None);
            });
            Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        }

        // Health stays open for load balancers.
        var health = await new Health.HealthClient(service.Channel).CheckAsync(new HealthCheckRequest());
        Assert.NotEqual(HealthCheckResponse.Types.ServingStatus.Unknown, health.Status);

        // JSON: 401, and the bearer form of a valid key works.
        using (var anonymous = service.Json(null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/patients")).StatusCode);
        }

        var fresh = await service.NewKeyAsync("clinic-revoke");
        using var bearer = service.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", fresh);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/v1/patients")).StatusCode);
    }

    [Fact]
    public async Task Every_records_call_is_audited_with_key_clinic_verb_and_record_but_no_plain_patient_id()
    {
        var created = await service.Keys.CreateApiKeyAsync("clinic-audit", "audited");
        var client = service.Records(created.Secret);
        await client.CreatePatientAsync(new CreatePatientRequest { PatientId = "MRN-SECRET-77" });
        var visit = await client.CreateVisitAsync(new CreateVisitRequest { PatientId = "MRN-SECRET-77", VisitDate = "2026-03-03" });
        await Assert.ThrowsAsync<RpcException>(() => client.GetVisitAsync(new GetVisitRequest { VisitId = "vis_missing" }).ResponseAsync);

        var entries = await service.Audit.ListAuditAsync("clinic-audit", 10);

        Assert.Equal(["GetVisit", "CreateVisit", "CreatePatient"], entries.Select(e => e.Verb));
        Assert.All(entries, e => Assert.Equal(created.Key.KeyId, e.KeyId));
        Assert.Equal(["NotFound", "OK", "OK"], entries.Select(e => e.Outcome));
        Assert.Equal(visit.VisitId, entries[1].RecordId);
        Assert.Equal(service.Audit.PatientReference("clinic-audit", "MRN-SECRET-77"), entries[1].PatientRef);
        Assert.All(entries, e => Assert.DoesNotContain("MRN-SECRET-77", string.Join('|', e.RecordId, e.PatientRef, e.Verb, e.Outcome), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_keys_command_creates_lists_and_revokes_keys_in_the_configured_store()
    {
        var dir = Path.Combine(Path.GetTempPath(), "smpvision-keys-" + Guid.NewGuid().ToString("N")[..8]);
        var config = $"--SmpVision:Records:DataDirectory={dir}";
        try
        {
            var output = new StringWriter();
            Assert.Equal(0, await KeysCommand.RunAsync(["keys", "create", "--clinic", "clinic-cli", "--name", "reception", config], output, TextWriter.Null));
            var secret = output.ToString().Split('\n').Single(l => l.StartsWith("api key: ", StringComparison.Ordinal))["api key: ".Length..].Trim();
            var keyId = output.ToString().Split('\n').Single(l => l.StartsWith("key id:", StringComparison.Ordinal))["key id:".Length..].Trim();

            await using (var store = new SmpVision.Records.Storage.SqliteRecordStore(dir))
            {
                await store.MigrateAsync();
                Assert.Equal("clinic-cli", (await store.AuthenticateAsync(secret))?.ClinicId);
            }

            var listed = new StringWriter();
            Assert.Equal(0, await KeysCommand.RunAsync(["keys", "list", config], listed, TextWriter.Null));
            Assert.Contains(keyId, listed.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, listed.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, await KeysCommand.RunAsync(["keys", "revoke", keyId, config], TextWriter.Null, TextWriter.Null));
            Assert.Equal(1, await KeysCommand.RunAsync(["keys", "revoke", keyId, config], TextWriter.Null, TextWriter.Null));
            Assert.Equal(2, await KeysCommand.RunAsync(["keys", "create", config], TextWriter.Null, TextWriter.Null));

            await using var after = new SmpVision.Records.Storage.SqliteRecordStore(dir);
            await after.MigrateAsync();
            Assert.Null(await after.AuthenticateAsync(secret));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("http://localhost:5180", true)]
    [InlineData("http://127.0.0.1:5180", true)]
    [InlineData("http://[::1]:5180", true)]
    [InlineData("http://+:5180", false)]
    [InlineData("http://0.0.0.0:5180", false)]
    [InlineData("http://10.1.2.3:5180", false)]
    public void Local_development_mode_accepts_loopback_addresses_only(string url, bool loopback) =>
        Assert.Equal(loopback, SmpVision.Service.Security.SecurityModeGuard.IsLoopback(url));
}
