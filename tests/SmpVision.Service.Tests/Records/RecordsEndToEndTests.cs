using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Core;
using SmpVision.Contracts.V1;

namespace SmpVision.Service.Tests.Records;

/// <summary>
/// The acceptance path through the in-process service: store two visits of one patient, compare
/// them by capture id and read the density history, once over gRPC and once over JSON.
/// </summary>
[Collection(RecordsServiceCollection.Name)]
public sealed class RecordsEndToEndTests(RecordsServiceFixture service)
{
    [Fact]
    public Task Two_visits_are_stored_compared_by_id_and_read_as_history_over_grpc() => StoreCompareAndReadHistoryAsync(service);

    /// <summary>The gRPC acceptance path, shared with the PostgreSQL run.</summary>
    internal static async Task StoreCompareAndReadHistoryAsync(RecordsServiceFixture service)
    {
        var client = service.Records(await service.NewKeyAsync("clinic-e2e-grpc"));
        await client.CreatePatientAsync(new CreatePatientRequest { PatientId = "MRN-0001" });
        var v1 = await client.CreateVisitAsync(new CreateVisitRequest { PatientId = "MRN-0001", VisitDate = "2026-01-15" });
        var v2 = await client.CreateVisitAsync(new CreateVisitRequest { PatientId = "MRN-0001", VisitDate = "2026-04-15", Note = "after session 2" });
        var c1 = await client.CreateCaptureAsync(new CreateCaptureRequest { VisitId = v1.VisitId, Image = RecordPhotos.Visit1, Options = RecordPhotos.Options(), View = CaptureView.CloseUp });
        var c2 = await client.CreateCaptureAsync(new CreateCaptureRequest { VisitId = v2.VisitId, Image = RecordPhotos.Visit2, Options = RecordPhotos.Options(), View = CaptureView.CloseUp });

        Assert.Equal(ScalpZone.Vertex, c1.Zone);
        Assert.Equal(Modality.Trichoscopy, c1.Modality);
        Assert.Equal(64, c1.ImageSha256.Length);
        Assert.NotEqual(c1.ImageSha256, c2.ImageSha256);
        Assert.True(c1.Analysis.Measurements.HairCount > 0);
        Assert.NotNull(c1.Analysis.Plan);
        Assert.False(string.IsNullOrEmpty(c1.Versions.Model));
        Assert.True(c1.Analysis.LabelMap is null && c1.Image.IsEmpty); // stored results keep no large outputs; photos only on request
        var fetched = await client.GetCaptureAsync(new GetCaptureRequest { CaptureId = c1.CaptureId, IncludeImage = true });
        Assert.Equal(RecordPhotos.Visit1, fetched.Image);

        var comparison = await client.CompareCapturesAsync(new CompareCapturesRequest { BeforeCaptureId = c1.CaptureId, AfterCaptureId = c2.CaptureId, ReturnChangeMap = true });
        Assert.False(comparison.Reanalysed);
        Assert.Equal(c1.Versions.Model, comparison.Versions.Model);
        Assert.Equal(c1.Versions, comparison.BeforeCaptureVersions);
        Assert.False(comparison.Result.ChangeMapPng.IsEmpty);
        Assert.Equal(9, comparison.Result.Registration.HomographyAfterToBefore.Count);
        Assert.Equal(ChangeSignificance.NoSignificantChange, comparison.Result.Overall.Hairs.Significance); // same scalp, re-encoded
        var stored = await client.GetComparisonAsync(new GetComparisonRequest { ComparisonId = comparison.ComparisonId });
        Assert.Equal(comparison.Result.Overall, stored.Result.Overall);
        Assert.True(stored.Result.ChangeMapPng.IsEmpty);
        Assert.Single((await client.ListComparisonsAsync(new ListComparisonsRequest { PatientId = "MRN-0001" })).Comparisons);

        var history = await client.GetDensityHistoryAsync(new GetDensityHistoryRequest { PatientId = "MRN-0001" });
        var zone = Assert.Single(history.Zones);
        Assert.Equal(ScalpZone.Vertex, zone.Zone);
        Assert.Equal(["2026-01-15", "2026-04-15"], zone.Points.Select(p => p.VisitDate));
        foreach (var point in zone.Points)
        {
            Assert.True(point.HasHairsPerSquareCentimetre);
            Assert.InRange(point.HairsPerSquareCentimetre, point.HairsPerSquareCentimetreBandLow, point.HairsPerSquareCentimetreBandHigh);
            Assert.Equal(1.96 * point.HairsPerSquareCentimetreStandardError, point.HairsPerSquareCentimetreBandHigh - point.HairsPerSquareCentimetre, 9);
            Assert.InRange(point.HairCount, point.HairCountBandLow, point.HairCountBandHigh);
        }
    }

    [Fact]
    public async Task Two_visits_are_stored_compared_by_id_and_read_as_history_over_json()
    {
        using var http = service.Json(await service.NewKeyAsync("clinic-e2e-json"));
        await PostAsync(http, "/v1/patients", new { patientId = "MRN-0002" });
        var v1 = await PostAsync(http, "/v1/patients/MRN-0002/visits", new { visitDate = "2026-02-01" });
        var v2 = await PostAsync(http, "/v1/patients/MRN-0002/visits", new { visitDate = "2026-05-01" });
        var options = new { modality = "MODALITY_TRICHOSCOPY", zone = "SCALP_ZONE_VERTEX", scale = new { pixelsPerMillimetre = RecordPhotos.PixelsPerMillimetre } };
        var c1 = await PostAsync(http, $"/v1/visits/{Id(v1, "visitId")}/captures", new { image = RecordPhotos.Visit1.ToBase64(), options, view = "CAPTURE_VIEW_CLOSE_UP" });
        var c2 = await PostAsync(http, $"/v1/visits/{Id(v2, "visitId")}/captures", new { image = RecordPhotos.Visit2.ToBase64(), options, view = "CAPTURE_VIEW_CLOSE_UP" });

        var comparison = await PostAsync(http, "/v1/comparisons", new { beforeCaptureId = Id(c1, "captureId"), afterCaptureId = Id(c2, "captureId") });
        Assert.Equal("MRN-0002", Id(comparison, "patientId"));
        Assert.True(comparison.GetProperty("result").GetProperty("overall").TryGetProperty("hairs", out _));

        var history = await http.GetFromJsonAsync<JsonElement>("/v1/patients/MRN-0002/history");
        var points = history.GetProperty("zones")[0].GetProperty("points");
        Assert.Equal(2, points.GetArrayLength());
        Assert.Equal("2026-02-01", points[0].GetProperty("visitDate").GetString());
        Assert.True(points[1].GetProperty("hairsPerSquareCentimetre").GetDouble() > 0);

        var listed = await http.GetFromJsonAsync<JsonElement>($"/v1/visits/{Id(v1, "visitId")}/captures");
        Assert.Equal(Id(c1, "captureId"), listed.GetProperty("captures")[0].GetProperty("captureId").GetString());
        var deleted = await http.DeleteAsync("/v1/patients/MRN-0002");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/patients/MRN-0002")).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_patient_deletes_their_captures_and_photo_files()
    {
        var client = service.Records(await service.NewKeyAsync("clinic-delete"));
        await client.CreatePatientAsync(new CreatePatientRequest { PatientId = "to-delete" });
        var visit = await client.CreateVisitAsync(new CreateVisitRequest { PatientId = "to-delete", VisitDate = "2026-01-01" });
        // A photo no other test stores: a few bytes of the PNG's trailing chunk changed would break it, so re-encode at another size.
        using var mat = OpenCvSharp.Cv2.ImDecode(RecordPhotos.Visit1.ToByteArray(), OpenCvSharp.ImreadModes.Color);
        using var smaller = mat.Resize(new OpenCvSharp.Size(600, 480));
        var capture = await client.CreateCaptureAsync(new CreateCaptureRequest { VisitId = visit.VisitId, Image = Google.Protobuf.ByteString.CopyFrom(smaller.ImEncode(".png")), Options = RecordPhotos.Options() });
        var file = Path.Combine(service.DataDirectory, "images", capture.ImageSha256[..2], capture.ImageSha256);
        Assert.True(File.Exists(file));

        var summary = await client.DeletePatientAsync(new DeletePatientRequest { PatientId = "to-delete" });

        Assert.Equal((1u, 1u, 1u), (summary.DeletedVisitCount, summary.DeletedCaptureCount, summary.DeletedImageFileCount));
        Assert.False(File.Exists(file));
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.GetCaptureAsync(new GetCaptureRequest { CaptureId = capture.CaptureId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task A_comparison_across_model_versions_reanalyses_both_captures_and_says_so()
    {
        const string Clinic = "clinic-versions";
        var client = service.Records(await service.NewKeyAsync(Clinic));
        await client.CreatePatientAsync(new CreatePatientRequest { PatientId = "p-versions" });
        var v1 = await client.CreateVisitAsync(new CreateVisitRequest { PatientId = "p-versions", VisitDate = "2025-06-01" });
        var v2 = await client.CreateVisitAsync(new CreateVisitRequest { PatientId = "p-versions", VisitDate = "2026-06-01" });
        var current = await client.CreateCaptureAsync(new CreateCaptureRequest { VisitId = v2.VisitId, Image = RecordPhotos.Visit2, Options = RecordPhotos.Options() });
        // A capture stored a year ago by an older model: written to the store as that version left it.
        var old = await service.Store.CreateCaptureAsync(Clinic, new SmpVision.Records.NewCapture(
            v1.VisitId,
            new SmpVision.Records.CaptureFacts("Vertex", "CloseUp", "Trichoscopy", "", "Request", RecordPhotos.PixelsPerMillimetre),
            RecordPhotos.Visit1.ToByteArray(),
            new SmpVision.Records.AnalysisVersions("0.0.9", "0.9.0", "older-model-1", current.Versions.Opencv),
            Google.Protobuf.JsonFormatter.Default.Format(RecordPhotos.Options()),
            Google.Protobuf.JsonFormatter.Default.Format(current.Analysis),
            new SmpVision.Records.CaptureMeasurements(1, 1, null, null, null, null, null)));

        var comparison = await client.CompareCapturesAsync(new CompareCapturesRequest { BeforeCaptureId = old!.CaptureId, AfterCaptureId = current.CaptureId });

        Assert.True(comparison.Reanalysed);
        Assert.Contains("older-model-1", comparison.ReanalysisNote, StringComparison.Ordinal);
        Assert.Contains(current.Versions.Model, comparison.ReanalysisNote, StringComparison.Ordinal);
        Assert.Equal("older-model-1", comparison.BeforeCaptureVersions.Model);
        Assert.Equal(current.Versions.Model, comparison.Versions.Model);
        Assert.Equal(current.Versions.Model, comparison.Result.Before.Versions.Model); // the before photo was analysed by the current model
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
    {
        var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Id(JsonElement element, string name) => element.GetProperty(name).GetString()!;
}

/// <summary>The acceptance path with the records in PostgreSQL.</summary>
[Collection(PostgresRecordsServiceCollection.Name)]
public sealed class PostgresRecordsEndToEndTests(PostgresRecordsServiceFixture service)
{
    [Fact]
    public async Task Two_visits_are_stored_compared_by_id_and_read_as_history_with_postgresql()
    {
        Assert.Equal("postgresql", service.Store.Kind);
        await RecordsEndToEndTests.StoreCompareAndReadHistoryAsync(service);
    }
}
