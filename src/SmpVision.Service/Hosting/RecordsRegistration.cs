using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using SmpVision.Records;
using SmpVision.Records.Storage;
using SmpVision.Service.Records;
using SmpVision.Service.Security;

namespace SmpVision.Service.Hosting;

/// <summary>Registers the record store, the records service's helpers and access control.</summary>
public static class RecordsRegistration
{
    /// <summary>Adds records, API-key authentication, the audit trail and optional mTLS.</summary>
    public static IHostApplicationBuilder AddSmpVisionRecords(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<RecordStoreOptions>().Bind(builder.Configuration.GetSection(RecordStoreOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RecordStoreOptions>, RecordStoreOptionsValidator>();
        services.AddOptions<SecurityOptions>().Bind(builder.Configuration.GetSection(SecurityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();

        services.AddSingleton<SqlRecordStore>(sp => sp.GetRequiredService<IOptions<RecordStoreOptions>>().Value.CreateStore());
        services.AddSingleton<IRecordStore>(sp => sp.GetRequiredService<SqlRecordStore>());
        services.AddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<SqlRecordStore>());
        services.AddSingleton<IAuditTrail>(sp => sp.GetRequiredService<SqlRecordStore>());
        services.AddSingleton<RecordAudit>();
        services.AddSingleton<StoredComparisons>();
        services.AddSingleton<ApiKeyInterceptor>();
        services.AddHostedService<RecordStoreHost>();
        services.AddHostedService<SecurityModeGuard>();

        var security = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        services.Configure<KestrelServerOptions>(k => k.ConfigureHttpsDefaults(https => ConfigureClientCertificates(https, security)));
        return builder;
    }

    /// <summary>mTLS: require a client certificate, chained to the configured authority when one is given.</summary>
    private static void ConfigureClientCertificates(HttpsConnectionAdapterOptions https, SecurityOptions security)
    {
        if (!security.RequireClientCertificate)
        {
            return;
        }

        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        if (string.IsNullOrEmpty(security.ClientCertificateAuthorityPath))
        {
            return; // the system trust store validates
        }

        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(security.ClientCertificateAuthorityPath));
        https.ClientCertificateValidation = (certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        };
    }
}

/// <summary>Validates <see cref="RecordStoreOptions"/> at start with its own reasons.</summary>
internal sealed class RecordStoreOptionsValidator : IValidateOptions<RecordStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, RecordStoreOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
