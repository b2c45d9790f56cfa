using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SmpVision.Service.Telemetry;

namespace SmpVision.Service.Hosting;

/// <summary>Cross-cutting defaults (eShop style): structured logs, OpenTelemetry metrics and traces.</summary>
public static class ServiceDefaults
{
    /// <summary>Adds JSON console logs and OpenTelemetry; exports OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        // The hosting diagnostics scope carries the request path, and record routes carry the
        // clinic's patient id (/v1/patients/{patient_id}): without this category no such scope is made.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("smpvision", serviceVersion: typeof(ServiceDefaults).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m => m.AddAspNetCoreInstrumentation().AddMeter(SmpVisionMetrics.Name))
            .WithTracing(t => t.AddAspNetCoreInstrumentation(o => o.EnrichWithHttpRequest = (activity, request) =>
                activity.SetTag("url.path", Records.PathRedaction.Redact(request.Path.Value))).AddSource(SmpVisionMetrics.Name));
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }
}
