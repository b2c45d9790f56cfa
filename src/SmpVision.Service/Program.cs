using SmpVision.Service.Grpc;
using SmpVision.Service.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSmpVision();
builder.Services.AddSmpVisionOpenApi();
builder.Services.UseGuardedGrpcBinder(); // last: every AddGrpc() above re-adds the framework's unguarded binder

var app = builder.Build();

app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
app.MapGrpcService<ScalpAnalysisGrpcService>();
app.MapGrpcHealthChecksService();
app.MapHealthChecks("/healthz"); // same checks over plain HTTP, for container HEALTHCHECKs and load balancers
app.MapGrpcReflectionService();
app.MapSmpVisionOpenApi(); // OpenAPI of the JSON routes at /openapi/v1.json, interactive page at /docs
app.MapGet("/", () => "SmpVision scalp analysis. gRPC: smpvision.v1.ScalpAnalysis (reflection enabled); JSON: POST /v1/analyze, /v1/compare (OpenAPI: /openapi/v1.json, page: /docs).");

app.Run();

/// <summary>Entry point, public for the in-process test host.</summary>
public partial class Program;
