using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Planning;

namespace SmpVision.Service.Tests;

/// <summary>Citations point at the domain reference the repository ships: docs/DOMAIN-SOURCES.md.</summary>
public sealed class DomainCitationTests
{
    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SmpVision.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SmpVision.sln not found above the test assembly.");
    }

    [Fact]
    public void Proto_comments_cite_the_file_that_exists()
    {
        var root = RepositoryRoot();
        Assert.True(File.Exists(Path.Combine(root, "docs", "DOMAIN-SOURCES.md")));
        var texts = Directory.GetFiles(Path.Combine(root, "protos", "smpvision"), "*.proto", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();
        Assert.All(texts, text => Assert.DoesNotMatch(@"(?<![-/\w])DOMAIN\.md", text));
        Assert.Contains(texts, text => text.Contains("docs/DOMAIN-SOURCES.md", StringComparison.Ordinal));
    }

    [Fact]
    public void Citation_strings_returned_to_callers_cite_the_file_that_exists()
    {
        foreach (var zone in Enum.GetValues<ScalpZone>())
        {
            Assert.Contains("docs/DOMAIN-SOURCES.md", ZoneDefaults.Citation(zone), StringComparison.Ordinal);
        }

        Assert.All(DeviceProfile.BuiltIn.Values, p => Assert.Contains("docs/DOMAIN-SOURCES.md", p.Description, StringComparison.Ordinal));
    }
}
