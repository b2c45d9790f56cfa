using SmpVision.Service.Admin;
using SmpVision.Service.Grpc;
using SmpVision.Service.Hosting;
using SmpVision.Service.Http;

if (KeysCommand.Matches(args))
{
    // Admin command (keys create/list/revoke) against the configured record store; no server.
    Environment.ExitCode = await KeysCommand.RunAsync(args, Console.Out, Console.Error);
    return;
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSmpVision();
builder.AddSmpVisionRecords();
builder.Services.AddSmpVisionOpenApi();
builder.Services.UseGuardedGrpcBinder(); // last: every AddGrpc() above re-adds the framework's unguarded binder

var app = builder.Build();

app.UseMiddleware<JsonRequestGate>(); // JSON body limit (413 with a field violation), field-named parse errors, base64url

app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
app.MapGrpcService<ScalpAnalysisGrpcService>();
app.MapGrpcService<RecordsGrpcService>();
app.MapGrpcHealthChecksService();
app.MapHealthChecks("/healthz"); // same checks over plain HTTP, for container HEALTHCHECKs and load balancers
app.MapGrpcReflectionService();
app.MapSmpVisionOpenApi(); // OpenAPI of the JSON routes at /openapi/v1.json, interactive page at /docs
app.MapGet("/", () => "SmpVision scalp analysis. gRPC: smpvision.v1.ScalpAnalysis (reflection enabled); JSON: POST /v1/analyze, /v1/compare; records: smpvision.v1.Records, /v1/patients (OpenAPI: /openapi/v1.json, page: /docs).");

app.Run();

/// <summary>Entry point, public for the in-process test host.</summary>
public partial class Program;
