using TypeRegistry = Google.Protobuf.Reflection.TypeRegistry;
using Google.Rpc;
using Microsoft.Extensions.Options;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Calibration;
using SmpVision.Service.Configuration;
using SmpVision.Service.Errors;
using SmpVision.Service.Grpc;
using SmpVision.Service.Telemetry;

namespace SmpVision.Service.Hosting;

/// <summary>Registers the gRPC surface, the pipeline and their options.</summary>
public static class SmpVisionRegistration
{
    /// <summary>Pipeline options section.</summary>
    public const string PipelineSection = "SmpVision:Pipeline";

    /// <summary>Adds SmpVision's services; options are validated when the host starts.</summary>
    public static IHostApplicationBuilder AddSmpVision(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddOptions<ServiceOptions>().Bind(builder.Configuration.GetSection(ServiceOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServiceOptions>, ServiceOptionsValidator>();
        services.AddOptions<AnalyzerOptions>().Bind(builder.Configuration.GetSection(PipelineSection)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AnalyzerOptions>, AnalyzerOptionsValidator>();
        services.AddSingleton(sp => new ScalpAnalyzer(WithDeviceProfiles(
            sp.GetRequiredService<IOptions<AnalyzerOptions>>().Value,
            sp.GetRequiredService<IOptions<ServiceOptions>>().Value)));

        var serviceOptions = builder.Configuration.GetSection(ServiceOptions.Section).Get<ServiceOptions>() ?? new ServiceOptions();
        services.AddGrpc(o =>
        {
            // The framework refuses messages above this before our code runs; below it the
            // service applies its own limits with field-level reasons.
            o.MaxReceiveMessageSize = (int)Http.ServiceLimits.MaxGrpcMessageBytes(serviceOptions);
            o.MaxSendMessageSize = null;
            o.Interceptors.Add<ErrorMappingInterceptor>();
            // Inside the error mapping, so refused calls are counted and logged like any other.
            o.Interceptors.Add<Security.ApiKeyInterceptor>();
        }).AddJsonTranscoding(o =>
            // Rich error details must serialise in JSON responses too.
            o.TypeRegistry = TypeRegistry.FromMessages(BadRequest.Descriptor, RetryInfo.Descriptor, ErrorInfo.Descriptor));
        services.UseGuardedGrpcBinder();
        // The HTTP server's body limit agrees with the service's: JSON bodies up to two unary images
        // in base64 (Http.JsonRequestGate answers beyond it), gRPC messages up to the gRPC limit.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(k =>
            k.Limits.MaxRequestBodySize = Math.Max(Http.ServiceLimits.MaxJsonBodyBytes(serviceOptions), Http.ServiceLimits.MaxGrpcMessageBytes(serviceOptions)));
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks().AddCheck<PipelineHealthCheck>("pipeline");

        services.AddSingleton<SmpVisionMetrics>();
        services.AddSingleton<PipelineReadiness>();
        services.AddSingleton<AnalysisGate>();
        services.AddSingleton<AnalysisRunner>();
        services.AddSingleton<UploadGate>();
        services.AddSingleton<ImageUploadAssembler>();
        services.AddHostedService<PipelineWarmup>();
        return builder;
    }

    /// <summary>
    /// Swaps grpc-dotnet's binder for <see cref="GuardedServiceMethodProvider{TService}"/> (same
    /// binding, guarded deserializers). Idempotent; call it after every other registration, since
    /// each AddGrpc() (AddGrpcSwagger makes one) adds the framework's binder again. Fails loudly
    /// if the binder is not found, so an upgrade that renames it cannot bind methods twice.
    /// </summary>
    public static IServiceCollection UseGuardedGrpcBinder(this IServiceCollection services)
    {
        var provider = typeof(global::Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>);
        var framework = services.Where(d => d.ServiceType == provider && d.ImplementationType?.Name == "BinderServiceMethodProvider`1").ToList();
        var guarded = services.Any(d => d.ServiceType == provider && d.ImplementationType == typeof(GuardedServiceMethodProvider<>));
        if (framework.Count == 0 && !guarded)
        {
            throw new InvalidOperationException("grpc-dotnet's BinderServiceMethodProvider registration was not found; update GuardedServiceMethodProvider for this Grpc.AspNetCore version.");
        }

        foreach (var descriptor in framework)
        {
            services.Remove(descriptor);
        }

        if (!guarded)
        {
            services.AddSingleton(provider, typeof(GuardedServiceMethodProvider<>));
        }

        return services;
    }

    /// <summary>Built-in device profiles plus the configured ones (configured win).</summary>
    private static AnalyzerOptions WithDeviceProfiles(AnalyzerOptions pipeline, ServiceOptions service)
    {
        var profiles = new Dictionary<string, DeviceProfile>(DeviceProfile.BuiltIn, StringComparer.OrdinalIgnoreCase);
        foreach (var (id, profile) in service.DeviceProfiles)
        {
            profiles[id] = profile;
        }

        return pipeline with { DeviceProfiles = profiles };
    }
}

/// <summary>Validates pipeline options at start through their own Validate().</summary>
internal sealed class AnalyzerOptionsValidator : IValidateOptions<AnalyzerOptions>
{
    public ValidateOptionsResult Validate(string? name, AnalyzerOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => $"{SmpVisionRegistration.PipelineSection}: {e}"));
    }
}
