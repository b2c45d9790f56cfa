using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using SmpVision.Service.Hosting;

namespace SmpVision.Service.Tests.Records;

/// <summary>
/// TLS and mTLS by configuration, on a real Kestrel listening on a loopback port: the server
/// certificate comes from Kestrel's endpoint configuration, client certificates must chain to the
/// configured authority. Certificates are made here, in memory, for 127.0.0.1.
/// </summary>
public sealed class MutualTlsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "smpvision-mtls-" + Guid.NewGuid().ToString("N")[..8]);

    public MutualTlsTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public async Task Only_clients_with_a_certificate_of_the_configured_authority_get_through()
    {
        using var caKey = RSA.Create(2048);
        using var ca = SelfSignedAuthority("SmpVision test clinic CA", caKey);
        using var otherKey = RSA.Create(2048);
        using var otherCa = SelfSignedAuthority("Somebody else's CA", otherKey);
        using var server = Issue(ca, caKey, "127.0.0.1", serverAuth: true);
        using var client = Issue(ca, caKey, "clinic-a-frontdesk", serverAuth: false);
        using var stranger = Issue(otherCa, otherKey, "stranger", serverAuth: false);
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "server.pem"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "server.key"), server.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());

        await using var app = Build(new()
        {
            ["Kestrel:Endpoints:Grpc:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http1AndHttp2",
            ["Kestrel:Endpoints:Grpc:Certificate:Path"] = Path.Combine(_dir, "server.pem"),
            ["Kestrel:Endpoints:Grpc:Certificate:KeyPath"] = Path.Combine(_dir, "server.key"),
            ["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:0",
            ["SmpVision:Security:RequireClientCertificate"] = "true",
            ["SmpVision:Security:ClientCertificateAuthorityPath"] = Path.Combine(_dir, "ca.pem"),
        });
        await app.StartAsync();
        try
        {
            var url = app.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal));
            using (var http = Client(ca, client))
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/probe")).StatusCode);
            }

            using (var http = Client(ca, null))
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(url + "/probe"));
            }

            using (var http = Client(ca, stranger))
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(url + "/probe"));
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private WebApplication Build(Dictionary<string, string?> settings)
    {
        settings["SmpVision:Records:DataDirectory"] = Path.Combine(_dir, "data");
        settings["SmpVision:Security:Mode"] = "ApiKey";
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSmpVision();
        builder.AddSmpVisionRecords();
        var app = builder.Build();
        app.MapGet("/probe", () => "reached"); // any answer at all means the TLS handshake let the client in
        return app;
    }

    /// <summary>An HTTPS client trusting the test authority, presenting <paramref name="certificate"/> when given.</summary>
    private static HttpClient Client(X509Certificate2 authority, X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return cert is not null && chain.Build(new X509Certificate2(cert));
        };
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    private static X509Certificate2 SelfSignedAuthority(string name, RSA key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    /// <summary>A leaf certificate signed by the authority, with its private key (PKCS#12 round trip, as SslStream wants on Linux).</summary>
    private static X509Certificate2 Issue(X509Certificate2 authority, RSA authorityKey, string name, bool serverAuth)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForRSA(authorityKey, RSASignaturePadding.Pkcs1),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pfx), null);
    }
}
