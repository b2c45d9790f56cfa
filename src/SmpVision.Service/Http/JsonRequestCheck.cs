using System.Globalization;
using System.Text.Json;
using Google.Protobuf.Reflection;

namespace SmpVision.Service.Http;

/// <summary>
/// Checks a JSON request body against its protobuf message in one forward pass (Utf8JsonReader,
/// nothing copied): JSON syntax, each known field's JSON type, enum names. Reports the first problem
/// with the field's proto path (e.g. "options.scale.pixels_per_millimetre") and records where the
/// bytes fields' strings lie, for <see cref="Base64Url"/>. Unknown field names are left to the
/// transcoder, as before; numeric enum values are checked by the service (RequestMapper).
/// </summary>
internal static class JsonRequestCheck
{
    /// <summary>A refused field and what to change.</summary>
    internal readonly record struct Violation(string Field, string Description);

    public static Violation? Check(byte[] body, MessageDescriptor descriptor, List<(int Start, int Length)> bytesFields)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read())
            {
                return new Violation("body", "The body is empty; send the request as a JSON object.");
            }

            return Message(ref reader, descriptor, string.Empty, bytesFields);
        }
        catch (JsonException ex)
        {
            return new Violation("body", string.Create(CultureInfo.InvariantCulture, $"The body is not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {ex.Message}"));
        }
    }

    private static Violation? Message(ref Utf8JsonReader reader, MessageDescriptor descriptor, string path, List<(int, int)> bytesFields)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new Violation(path.Length == 0 ? "body" : path, $"Expected a JSON object ({descriptor.Name}); got {Describe(reader.TokenType)}.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString() ?? string.Empty;
            var field = descriptor.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name || f.Name == name);
            reader.Read();
            if (field is null)
            {
                reader.Skip();
                continue;
            }

            var fieldPath = path.Length == 0 ? field.Name : path + "." + field.Name;
            var problem = Value(ref reader, field, fieldPath, bytesFields);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static Violation? Value(ref Utf8JsonReader reader, FieldDescriptor field, string path, List<(int, int)> bytesFields)
    {
        if (reader.TokenType == JsonTokenType.Null || field.IsMap)
        {
            reader.Skip();
            return null;
        }

        if (!field.IsRepeated)
        {
            return Single(ref reader, field, path, bytesFields);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return new Violation(path, $"Expected a JSON array; got {Describe(reader.TokenType)}.");
        }

        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var problem = Single(ref reader, field, string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]"), bytesFields);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static Violation? Single(ref Utf8JsonReader reader, FieldDescriptor field, string path, List<(int, int)> bytesFields)
    {
        var token = reader.TokenType;
        switch (field.FieldType)
        {
            case FieldType.Message when field.MessageType.File.Package == "google.protobuf":
                reader.Skip(); // well-known types have their own JSON forms; the transcoder checks them
                return null;
            case FieldType.Message:
                return Message(ref reader, field.MessageType, path, bytesFields);
            case FieldType.Enum when token == JsonTokenType.String:
                var value = reader.GetString();
                return field.EnumType.FindValueByName(value ?? string.Empty) is null
                    ? new Violation(path, $"Unknown {field.EnumType.Name} value \"{Shorten(value)}\". Use one of: {string.Join(", ", field.EnumType.Values.Where(v => v.Number != 0).Select(v => v.Name))}.")
                    : null;
            case FieldType.Enum:
                return token == JsonTokenType.Number ? null : new Violation(path, $"Expected a {field.EnumType.Name} name in quotes; got {Describe(token)}.");
            case FieldType.Bool:
                return token is JsonTokenType.True or JsonTokenType.False ? null : new Violation(path, $"Expected true or false; got {Describe(token)}.");
            case FieldType.String:
                return token == JsonTokenType.String ? null : new Violation(path, $"Expected a string; got {Describe(token)}.");
            case FieldType.Bytes:
                if (token != JsonTokenType.String)
                {
                    return new Violation(path, $"Expected base64 (standard or URL-safe) in a string; got {Describe(token)}.");
                }

                if (!reader.ValueIsEscaped && !reader.HasValueSequence)
                {
                    bytesFields.Add(((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length));
                }

                return Base64Url.IsBase64(reader.ValueSpan) || reader.ValueIsEscaped ? null : new Violation(path, "Not base64: use the standard (+/) or URL-safe (-_) alphabet, with or without = padding.");
            default:
                return Number(ref reader, field, path);
        }
    }

    /// <summary>Numbers may also be quoted in proto3 JSON ("1.5", "NaN", "Infinity").</summary>
    private static Violation? Number(ref Utf8JsonReader reader, FieldDescriptor field, string path)
    {
        var token = reader.TokenType;
        if (token == JsonTokenType.Number)
        {
            return null;
        }

        if (token == JsonTokenType.String)
        {
            var text = reader.GetString();
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || text is "NaN" or "Infinity" or "-Infinity")
            {
                return null;
            }

            return new Violation(path, $"Expected a number ({field.FieldType.ToString().ToLowerInvariant()}); got the string \"{Shorten(text)}\".");
        }

        return new Violation(path, $"Expected a number ({field.FieldType.ToString().ToLowerInvariant()}); got {Describe(token)}.");
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => token.ToString().ToLowerInvariant(),
    };

    /// <summary>Client text echoed in an error is cut short: descriptions stay bounded.</summary>
    private static string Shorten(string? text) => text is null ? string.Empty : text.Length <= 40 ? text : text[..40] + "...";
}
