using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmpVision.Contracts.V1;
using SmpVision.Service.Configuration;
using SmpVision.Service.Http;

namespace SmpVision.Service.Tests;

/// <summary>HTTP limits and JSON parsing of the JSON routes (issue 16, item 7) and unknown enum values (item 11).</summary>
[Collection(ServiceCollection.Name)]
public sealed class JsonLimitsTests(ServiceFixture service)
{
    private static readonly long JsonLimit = ServiceLimits.MaxJsonBodyBytes(new ServiceOptions { MaxUnaryImageBytes = ServiceFixture.UnaryLimitBytes });

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, int Code, string Field, string Text)> Post(HttpClient http, string path, HttpContent content)
    {
        using var response = await http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        var code = root.TryGetProperty("code", out var c) ? c.GetInt32() : 0;
        var field = root.TryGetProperty("details", out var d) && d.GetArrayLength() > 0 && d[0].TryGetProperty("fieldViolations", out var v) ? v[0].GetProperty("field").GetString() ?? "" : "";
        return (response.StatusCode, code, field, text);
    }

    [Fact]
    public async Task A_json_body_over_the_limit_is_resource_exhausted_413_with_a_field_violation()
    {
        using var http = service.CreateClient();
        var body = "{\"image\": \"" + new string('A', (int)JsonLimit) + "\"}";
        var (status, code, field, text) = await Post(http, "/v1/analyze", Json(body));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal((int)StatusCode.ResourceExhausted, code);
        Assert.Equal("body", field);
        Assert.Contains("AnalyzeUpload", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_json_body_over_the_limit_is_refused_the_same_way()
    {
        using var http = service.CreateClient();
        var bytes = Encoding.UTF8.GetBytes("{\"image\": \"" + new string('A', (int)JsonLimit) + "\"}");
        using var content = new StreamContent(new UnknownLengthStream(bytes));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var (status, code, field, _) = await Post(http, "/v1/analyze", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal((int)StatusCode.ResourceExhausted, code);
        Assert.Equal("body", field);
    }

    [Fact]
    public async Task A_compare_with_two_images_at_the_unary_limit_passes_the_http_limits()
    {
        // Two images of exactly the unary limit (not images: the service, not a body limit, refuses them).
        var image = Convert.ToBase64String(new byte[ServiceFixture.UnaryLimitBytes]);
        var body = "{\"beforeImage\": \"" + image + "\", \"afterImage\": \"" + image + "\", \"options\": {\"modality\": \"MODALITY_TRICHOSCOPY\"}}";
        Assert.True(body.Length <= JsonLimit);
        using var http = service.CreateClient();
        var (status, code, field, text) = await Post(http, "/v1/compare", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal((int)StatusCode.InvalidArgument, code);
        Assert.Equal("before_image", field);

        // The HTTP server's own limit and the gRPC message limit hold the same Compare at the default 16 MiB.
        var defaults = new ServiceOptions();
        var compareJson = (2 * ((defaults.MaxUnaryImageBytes + 2) / 3 * 4)) + 200;
        Assert.True(ServiceLimits.MaxJsonBodyBytes(defaults) >= compareJson);
        Assert.True(ServiceLimits.MaxGrpcMessageBytes(defaults) >= (2L * defaults.MaxUnaryImageBytes) + 200);
        var kestrel = service.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;
        Assert.True(kestrel.Limits.MaxRequestBodySize >= JsonLimit, $"Kestrel limit {kestrel.Limits.MaxRequestBodySize}, JSON limit {JsonLimit}: {text}");
    }

    [Theory]
    [InlineData("{\"image\": \"AAAA\", \"options\": {\"scale\": {\"pixelsPerMillimetre\": \"abc\"}}}", "options.scale.pixels_per_millimetre")]
    [InlineData("{\"image\": \"AAAA\", \"options\": {\"modality\": \"MODALITY_BOGUS\"}}", "options.modality")]
    [InlineData("{\"image\": \"AAAA\", \"options\": {\"zone\": \"SCALP_ZONE_NOPE\"}}", "options.zone")]
    [InlineData("{\"image\": \"AAAA\", \"options\": {\"output\": {\"returnHairs\": \"yes\"}}}", "options.output.return_hairs")]
    [InlineData("{\"image\": 12}", "image")]
    [InlineData("{\"image\": \"no*base64\"}", "image")]
    [InlineData("{\"image\": ", "body")]
    public async Task Json_parse_errors_name_the_field(string body, string expectedField)
    {
        using var http = service.CreateClient();
        var (status, code, field, text) = await Post(http, "/v1/analyze", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal((int)StatusCode.InvalidArgument, code);
        Assert.True(expectedField == field, text);
    }

    [Fact]
    public async Task Base64url_images_are_accepted()
    {
        var standard = Convert.ToBase64String(TestImages.ScalpLikePng());
        var url = standard.Replace('+', '-').Replace('/', '_').TrimEnd('=');
        Assert.True(url.Contains('-', StringComparison.Ordinal) || url.Contains('_', StringComparison.Ordinal));
        using var http = service.CreateClient();
        using var response = await http.PostAsync("/v1/analyze", Json("{\"image\": \"" + url + "\", \"options\": {\"modality\": \"MODALITY_TRICHOSCOPY\"}}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(640, json.RootElement.GetProperty("image").GetProperty("widthPixels").GetInt32());
    }

    [Fact]
    public void Base64url_is_rewritten_to_the_standard_alphabet_with_padding()
    {
        var data = new byte[] { 0xfb, 0xff, 0xbf, 0x3e, 0x01 };
        var url = Convert.ToBase64String(data).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var body = Encoding.ASCII.GetBytes("{\"a\":\"" + url + "\",\"b\":\"x-y_z\"}");
        var fixedBody = Base64Url.ToStandard(body, [(6, url.Length)]);
        var text = Encoding.ASCII.GetString(fixedBody);
        Assert.Equal("{\"a\":\"" + Convert.ToBase64String(data) + "\",\"b\":\"x-y_z\"}", text);
        Assert.True(Base64Url.IsBase64(Encoding.ASCII.GetBytes(url)));
        Assert.False(Base64Url.IsBase64(Encoding.ASCII.GetBytes("ab*c")));
    }

    [Fact]
    public async Task Unknown_enum_values_are_refused_with_the_field()
    {
        var client = new ScalpAnalysis.ScalpAnalysisClient(service.Channel);
        await RpcAssert.FieldViolationAsync(StatusCode.InvalidArgument, "options.planning.hairline_edge", () =>
            client.AnalyzeAsync(new AnalyzeRequest
            {
                Image = ByteString.CopyFrom(TestImages.ScalpLikePng()),
                Options = new AnalysisOptions { Planning = new PlanningOptions { HairlineEdge = (HairlineEdge)99 } },
            }).ResponseAsync);
    }

    /// <summary>A body stream whose length the client cannot know, so it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
