using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using SmpVision.Contracts.V1;

namespace SmpVision.Service.Tests.Contract;

/// <summary>
/// The compiled smpvision contract against the descriptor set of its last released version
/// (protos/baseline/smpvision-v1.binpb): existing clients must keep working.
/// </summary>
public sealed class ContractCompatibilityTests
{
    private const string Package = "smpvision.";

    [Fact]
    public void The_contract_keeps_every_released_field_number_type_name_enum_value_and_method()
    {
        var breaks = ContractCompatibility.Breaks(Baseline().File, Current(), Package);

        Assert.True(breaks.Count == 0, "Breaking changes against the released v1 contract (add fields instead, or reserve removed numbers; see protos/README.md):\n" + string.Join("\n", breaks));
    }

    [Fact]
    public void The_baseline_is_a_real_v1_contract_with_its_services_and_routes()
    {
        var files = Baseline().File.Where(f => f.Package.StartsWith(Package, StringComparison.Ordinal)).ToList();

        Assert.Contains(files, f => f.Service.Any(s => s.Name == "ScalpAnalysis" && s.Method.Any(m => m.Name == "Analyze")));
        Assert.True(files.Sum(f => f.MessageType.Count) > 20, "the baseline should hold the whole v1 message set");
    }

    [Fact]
    public void The_check_reports_a_removed_field_a_renumbering_a_type_change_a_removed_enum_value_and_a_changed_route()
    {
        var changed = Baseline().Clone();
        var analysis = changed.File.Single(f => f.Name == "smpvision/v1/analysis.proto");
        var request = analysis.MessageType.Single(m => m.Name == "AnalyzeRequest");
        request.Field.Remove(request.Field.Single(f => f.Name == "options"));
        var upload = analysis.MessageType.Single(m => m.Name == "UploadHeader");
        upload.Field.Single(f => f.Name == "total_size_bytes").Number = 99;
        var output = analysis.MessageType.Single(m => m.Name == "OutputOptions");
        output.Field.Single(f => f.Name == "return_label_map").Type = FieldDescriptorProto.Types.Type.String;
        var edge = analysis.EnumType.Single(e => e.Name == "HairlineEdge");
        edge.Value.Remove(edge.Value.Single(v => v.Name == "HAIRLINE_EDGE_LEFT"));
        var analyze = analysis.Service.Single().Method.Single(m => m.Name == "Analyze");
        analyze.Options.GetExtension(Google.Api.AnnotationsExtensions.Http).Post = "/v2/analyze";

        var breaks = ContractCompatibility.Breaks(Baseline().File, changed.File, Package);

        Assert.Contains(breaks, b => b.Contains("AnalyzeRequest.options (= 2) was removed", StringComparison.Ordinal));
        Assert.Contains(breaks, b => b.Contains("UploadHeader.total_size_bytes (= 2) was removed", StringComparison.Ordinal));
        Assert.Contains(breaks, b => b.Contains("OutputOptions.return_label_map changed type", StringComparison.Ordinal));
        Assert.Contains(breaks, b => b.Contains("HAIRLINE_EDGE_LEFT", StringComparison.Ordinal));
        Assert.Contains(breaks, b => b.Contains("changed its JSON route", StringComparison.Ordinal));
    }

    [Fact]
    public void The_check_accepts_additions_and_a_removed_field_whose_number_is_reserved()
    {
        var changed = Baseline().Clone();
        var analysis = changed.File.Single(f => f.Name == "smpvision/v1/analysis.proto");
        var request = analysis.MessageType.Single(m => m.Name == "AnalyzeRequest");
        request.Field.Add(new FieldDescriptorProto { Name = "note", Number = 50, Type = FieldDescriptorProto.Types.Type.String, Label = FieldDescriptorProto.Types.Label.Optional });
        request.Field.Remove(request.Field.Single(f => f.Name == "options"));
        request.ReservedRange.Add(new DescriptorProto.Types.ReservedRange { Start = 2, End = 3 });
        analysis.MessageType.Add(new DescriptorProto { Name = "Added" });

        Assert.Empty(ContractCompatibility.Breaks(Baseline().File, changed.File, Package));
    }

    /// <summary>The released descriptor set, copied next to the test assembly.</summary>
    private static FileDescriptorSet Baseline() =>
        ContractCompatibility.SetParser.ParseFrom(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "contract-baseline", "smpvision-v1.binpb")));

    /// <summary>Every file compiled into SmpVision.Contracts (each generated *Reflection class holds one).</summary>
    private static List<FileDescriptorProto> Current() =>
        [.. typeof(AnalyzeRequest).Assembly.GetTypes()
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static))
            .Where(p => p?.PropertyType == typeof(FileDescriptor))
            .Select(p => ContractCompatibility.Reparse(((FileDescriptor)p!.GetValue(null)!).ToProto()))];
}
