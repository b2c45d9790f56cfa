using Microsoft.OpenApi.Models;

namespace SmpVision.Service.Hosting;

/// <summary>
/// The OpenAPI document of the JSON routes (gRPC JSON transcoding), generated from the proto
/// annotations and the proto comments (the contract's XML docs), and an interactive page whose
/// assets are served by the service itself, so it works offline.
/// </summary>
public static class OpenApiDocs
{
    /// <summary>Stable path of the document.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Path of the interactive page.</summary>
    public const string PagePath = "/docs";

    /// <summary>Generates the document from the transcoded gRPC methods.</summary>
    public static IServiceCollection AddSmpVisionOpenApi(this IServiceCollection services)
    {
        services.AddGrpcSwagger();
        services.AddSwaggerGen(c =>
        {
            c.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "SmpVision",
                Version = "v1",
                Description = "Scalp analysis and SMP planning over JSON (gRPC JSON transcoding of smpvision.v1; the same contract over gRPC on the gRPC port). " +
                    "Bytes fields are base64. Errors are a google.rpc.Status with BadRequest field violations, RetryInfo or ErrorInfo in details.",
            });
            // Generated code documents every message and field with its proto comment.
            var xml = Path.Combine(AppContext.BaseDirectory, "SmpVision.Contracts.xml");
            if (File.Exists(xml))
            {
                c.IncludeXmlComments(xml);
                c.IncludeGrpcXmlComments(xml, includeControllerXmlComments: true);
            }
        });
        return services;
    }

    /// <summary>Serves the document at <see cref="DocumentPath"/> and the page at <see cref="PagePath"/>.</summary>
    public static WebApplication MapSmpVisionOpenApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseSwagger(o => o.RouteTemplate = "openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = PagePath.TrimStart('/');
            o.SwaggerEndpoint(DocumentPath, "SmpVision v1");
            o.DocumentTitle = "SmpVision API";
            // No call to the online validator: the page must not reach outside the service.
            o.ConfigObject.ValidatorUrl = "none";
        });
        return app;
    }
}
