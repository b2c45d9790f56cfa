using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SmpVision.Service.Tests.Contract;

/// <summary>
/// Wire- and JSON-level breaking-change check of one protobuf package against a baseline
/// descriptor set: what an existing client of the released contract would notice. Additions pass;
/// a removed field or enum value passes only when its number is reserved.
/// </summary>
public static class ContractCompatibility
{
    /// <summary>Parser that keeps the google.api.http option readable.</summary>
    public static MessageParser<FileDescriptorSet> SetParser { get; } =
        FileDescriptorSet.Parser.WithExtensionRegistry([AnnotationsExtensions.Http]);

    /// <summary>A descriptor re-read with the http option registered (generated code may keep it as an unknown field).</summary>
    public static FileDescriptorProto Reparse(FileDescriptorProto file) =>
        FileDescriptorProto.Parser.WithExtensionRegistry([AnnotationsExtensions.Http]).ParseFrom(file.ToByteString());

    /// <summary>Every break of <paramref name="current"/> against <paramref name="baseline"/>, for files of <paramref name="package"/> (prefix).</summary>
    public static IReadOnlyList<string> Breaks(IEnumerable<FileDescriptorProto> baseline, IEnumerable<FileDescriptorProto> current, string package)
    {
        var oldFiles = baseline.Where(f => f.Package.StartsWith(package, StringComparison.Ordinal)).ToList();
        var newFiles = current.Where(f => f.Package.StartsWith(package, StringComparison.Ordinal)).ToList();
        var breaks = new List<string>();
        CompareMessages(Messages(oldFiles), Messages(newFiles), breaks);
        CompareEnums(Enums(oldFiles), Enums(newFiles), breaks);
        CompareServices(oldFiles.SelectMany(f => f.Service.Select(s => ($"{f.Package}.{s.Name}", s))).ToDictionary(), newFiles.SelectMany(f => f.Service.Select(s => ($"{f.Package}.{s.Name}", s))).ToDictionary(), breaks);
        return breaks;
    }

    private static void CompareMessages(Dictionary<string, DescriptorProto> old, Dictionary<string, DescriptorProto> now, List<string> breaks)
    {
        foreach (var (name, was) in old)
        {
            if (!now.TryGetValue(name, out var message))
            {
                breaks.Add($"message {name} was removed");
                continue;
            }

            var fields = message.Field.ToDictionary(f => f.Number);
            foreach (var field in was.Field)
            {
                if (!fields.TryGetValue(field.Number, out var f))
                {
                    if (!message.ReservedRange.Any(r => field.Number >= r.Start && field.Number < r.End))
                    {
                        breaks.Add($"{name}.{field.Name} (= {field.Number}) was removed without reserving its number");
                    }

                    continue;
                }

                CompareField($"{name}.{field.Name}", field, f, breaks);
            }
        }
    }

    private static void CompareField(string where, FieldDescriptorProto was, FieldDescriptorProto now, List<string> breaks)
    {
        // The JSON name and the field name are what JSON clients and generated code read.
        if (was.Name != now.Name || (was.JsonName.Length > 0 && now.JsonName.Length > 0 && was.JsonName != now.JsonName))
        {
            breaks.Add($"{where} (= {was.Number}) was renamed to {now.Name} (JSON {now.JsonName})");
        }

        if (was.Type != now.Type || was.TypeName != now.TypeName)
        {
            breaks.Add($"{where} changed type from {TypeOf(was)} to {TypeOf(now)}");
        }

        if ((was.Label == FieldDescriptorProto.Types.Label.Repeated) != (now.Label == FieldDescriptorProto.Types.Label.Repeated))
        {
            breaks.Add($"{where} changed cardinality ({was.Label} to {now.Label})");
        }
    }

    private static void CompareEnums(Dictionary<string, EnumDescriptorProto> old, Dictionary<string, EnumDescriptorProto> now, List<string> breaks)
    {
        foreach (var (name, was) in old)
        {
            if (!now.TryGetValue(name, out var e))
            {
                breaks.Add($"enum {name} was removed");
                continue;
            }

            var values = e.Value.ToDictionary(v => v.Number);
            foreach (var value in was.Value)
            {
                if (!values.TryGetValue(value.Number, out var v))
                {
                    // Enum reserved ranges are inclusive at both ends.
                    if (!e.ReservedRange.Any(r => value.Number >= r.Start && value.Number <= r.End))
                    {
                        breaks.Add($"{name}.{value.Name} (= {value.Number}) was removed without reserving its number");
                    }
                }
                else if (v.Name != value.Name)
                {
                    breaks.Add($"{name} value {value.Number} was renamed from {value.Name} to {v.Name} (JSON carries the name)");
                }
            }
        }
    }

    private static void CompareServices(Dictionary<string, ServiceDescriptorProto> old, Dictionary<string, ServiceDescriptorProto> now, List<string> breaks)
    {
        foreach (var (name, was) in old)
        {
            if (!now.TryGetValue(name, out var service))
            {
                breaks.Add($"service {name} was removed");
                continue;
            }

            var methods = service.Method.ToDictionary(m => m.Name);
            foreach (var method in was.Method)
            {
                if (!methods.TryGetValue(method.Name, out var m))
                {
                    breaks.Add($"rpc {name}/{method.Name} was removed");
                    continue;
                }

                if (m.InputType != method.InputType || m.OutputType != method.OutputType || m.ClientStreaming != method.ClientStreaming || m.ServerStreaming != method.ServerStreaming)
                {
                    breaks.Add($"rpc {name}/{method.Name} changed its request, response or streaming");
                }

                var route = HttpRoute(method);
                if (route.Length > 0 && route != HttpRoute(m))
                {
                    breaks.Add($"rpc {name}/{method.Name} changed its JSON route from {route} to {HttpRoute(m)}");
                }
            }
        }
    }

    private static string HttpRoute(MethodDescriptorProto method) =>
        method.Options?.GetExtension(AnnotationsExtensions.Http) is { } rule ? $"{rule.PatternCase} {rule.Post}{rule.Get}{rule.Put}{rule.Delete}{rule.Patch} body={rule.Body}" : "";

    private static string TypeOf(FieldDescriptorProto f) => f.TypeName.Length > 0 ? f.TypeName : f.Type.ToString();

    private static Dictionary<string, DescriptorProto> Messages(IEnumerable<FileDescriptorProto> files)
    {
        var all = new Dictionary<string, DescriptorProto>();
        void Add(string scope, IEnumerable<DescriptorProto> messages)
        {
            foreach (var m in messages)
            {
                all[$"{scope}.{m.Name}"] = m;
                Add($"{scope}.{m.Name}", m.NestedType);
            }
        }

        foreach (var f in files)
        {
            Add(f.Package, f.MessageType);
        }

        return all;
    }

    private static Dictionary<string, EnumDescriptorProto> Enums(IEnumerable<FileDescriptorProto> files)
    {
        var all = new Dictionary<string, EnumDescriptorProto>();
        void Add(string scope, IEnumerable<DescriptorProto> messages)
        {
            foreach (var m in messages)
            {
                foreach (var e in m.EnumType)
                {
                    all[$"{scope}.{m.Name}.{e.Name}"] = e;
                }

                Add($"{scope}.{m.Name}", m.NestedType);
            }
        }

        foreach (var f in files)
        {
            foreach (var e in f.EnumType)
            {
                all[$"{f.Package}.{e.Name}"] = e;
            }

            Add(f.Package, f.MessageType);
        }

        return all;
    }
}
