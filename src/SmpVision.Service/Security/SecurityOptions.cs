using Microsoft.Extensions.Options;

namespace SmpVision.Service.Security;

/// <summary>How callers are authenticated, bound from configuration section <c>SmpVision:Security</c>.</summary>
public sealed class SecurityOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "SmpVision:Security";

    /// <summary>Value of <see cref="Mode"/> that requires a clinic API key on every call (the default).</summary>
    public const string ApiKeyMode = "ApiKey";

    /// <summary>
    /// Value of <see cref="Mode"/> for a developer's machine: no keys, every call acts as clinic
    /// <see cref="LocalDevelopmentClinic"/>, and the service refuses to run on anything but loopback.
    /// </summary>
    public const string LocalDevelopmentMode = "LocalDevelopment";

    /// <summary><c>ApiKey</c> (default) or <c>LocalDevelopment</c>.</summary>
    public string Mode { get; set; } = ApiKeyMode;

    /// <summary>The clinic every call acts as in local development mode.</summary>
    public string LocalDevelopmentClinic { get; set; } = "local-development";

    /// <summary>
    /// mTLS: require a client certificate on HTTPS endpoints. Server TLS itself is Kestrel's
    /// endpoint configuration (<c>Kestrel:Endpoints:Grpc:Url=https://...</c> with <c>Certificate:Path</c>).
    /// </summary>
    public bool RequireClientCertificate { get; set; }

    /// <summary>PEM file of the authority client certificates must chain to (mTLS); empty: the system trust store.</summary>
    public string ClientCertificateAuthorityPath { get; set; } = "";

    /// <summary>True in local development mode.</summary>
    public bool IsLocalDevelopment => string.Equals(Mode, LocalDevelopmentMode, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Validates <see cref="SecurityOptions"/> at start.</summary>
internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var errors = new List<string>();
        if (!string.Equals(options.Mode, SecurityOptions.ApiKeyMode, StringComparison.OrdinalIgnoreCase) && !options.IsLocalDevelopment)
        {
            errors.Add($"{SecurityOptions.Section}:Mode must be '{SecurityOptions.ApiKeyMode}' (clinic API keys) or '{SecurityOptions.LocalDevelopmentMode}' (no keys, localhost only); got '{options.Mode}'.");
        }

        if (!string.IsNullOrEmpty(options.ClientCertificateAuthorityPath) && !File.Exists(options.ClientCertificateAuthorityPath))
        {
            errors.Add($"{SecurityOptions.Section}:ClientCertificateAuthorityPath names a file that does not exist: {options.ClientCertificateAuthorityPath}.");
        }

        if (options.IsLocalDevelopment && (string.IsNullOrWhiteSpace(options.LocalDevelopmentClinic) || options.LocalDevelopmentClinic.Length > 64))
        {
            errors.Add($"{SecurityOptions.Section}:LocalDevelopmentClinic must be 1-64 characters.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
