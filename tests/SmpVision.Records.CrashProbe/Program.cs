// Crash probe: opens a record store and writes captures until the parent test kills it.
//   probe <data-dir> <postgres-connection-string or "-"> <clinic> <mode>
// mode "hold-after-file": the first capture's photo is made durable, "durable <sha>" is printed
//   and the probe blocks before the row is written (the parent kills it there).
// mode "loop": writes captures in a loop, printing "committed <n>" after each.
using SmpVision.Records;
using SmpVision.Records.Storage;

var (dataDir, connection, clinic, mode) = (args[0], args[1], args[2], args[3]);
var options = new RecordStoreOptions { DataDirectory = dataDir, PostgresConnectionString = connection == "-" ? null : connection };
await using var store = options.CreateStore();
await store.MigrateAsync();
var patient = "crash-" + Guid.NewGuid().ToString("N")[..8];
await store.CreatePatientAsync(clinic, patient);
var visit = await store.CreateVisitAsync(clinic, patient, new DateOnly(2026, 1, 1), "") ?? throw new InvalidOperationException("visit");
Console.WriteLine($"patient {patient}");
if (mode == "hold-after-file")
{
    store.Images.AfterFileDurable = sha =>
    {
        Console.WriteLine($"durable {sha}");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    };
}

for (var n = 1; ; n++)
{
    var image = new byte[64 * 1024];
    Random.Shared.NextBytes(image);
    var facts = new CaptureFacts("Vertex", "CloseUp", "Trichoscopy", "", "None", null);
    var versions = new AnalysisVersions("probe", "probe", "probe", "probe");
    await store.CreateCaptureAsync(clinic, new NewCapture(visit.VisitId, facts, image, versions, "{}", "{}", new CaptureMeasurements(n, n, null, null, null, null, null)));
    Console.WriteLine($"committed {n}");
    Console.Out.Flush();
}
