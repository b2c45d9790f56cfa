using System.Text.RegularExpressions;
using Microsoft.OpenApi.Models;
using Microsoft.OpenApi.Readers;

namespace SmpVision.Service.Tests;

/// <summary>The OpenAPI document of the JSON routes and its offline interactive page.</summary>
[Collection(ServiceCollection.Name)]
public sealed partial class OpenApiTests(ServiceFixture service)
{
    [Fact]
    public async Task The_document_validates_and_describes_the_json_routes_from_the_proto()
    {
        using var http = service.CreateClient();
        using var response = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();

        var document = new OpenApiStringReader().Read(text, out var diagnostic);

        Assert.Empty(diagnostic.Errors);
        Assert.Equal(OperationType.Post, Assert.Single(document.Paths["/v1/analyze"].Operations).Key);
        Assert.Equal(OperationType.Post, Assert.Single(document.Paths["/v1/compare"].Operations).Key);
        // Schemas and descriptions come from the proto messages and their comments.
        var request = document.Components.Schemas["AnalyzeRequest"];
        Assert.Contains("JPEG", request.Properties["image"].Description, StringComparison.Ordinal);
        Assert.True(document.Components.Schemas["ScaleOptions"].Properties.ContainsKey("pixelsPerMillimetre"), "proto3 JSON names (lowerCamelCase)");
        Assert.Contains("registers the after", document.Paths["/v1/compare"].Operations[OperationType.Post].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_interactive_page_and_every_asset_it_loads_come_from_the_service()
    {
        using var http = service.CreateClient();
        var page = await http.GetStringAsync(new Uri("/docs/index.html", UriKind.Relative));
        Assert.Contains("/openapi/v1.json", page, StringComparison.Ordinal);
        Assert.Contains("\"validatorUrl\":\"none\"", page, StringComparison.Ordinal);

        var assets = AssetReference().Matches(page).Select(m => m.Groups["url"].Value).ToList();
        Assert.Contains("./swagger-ui-bundle.js", assets);
        foreach (var asset in assets)
        {
            Assert.False(asset.Contains("//", StringComparison.Ordinal), $"{asset} would be fetched from another host");
            using var reply = await http.GetAsync(new Uri("/docs/" + asset.TrimStart('.', '/'), UriKind.Relative));
            Assert.True(reply.IsSuccessStatusCode, $"{asset}: {reply.StatusCode}");
        }
    }

    [GeneratedRegex("""(?:src|href)="(?<url>[^"]+)""")]
    private static partial Regex AssetReference();
}
