using System.Globalization;
using Google.Protobuf;
using MessageDescriptor = Google.Protobuf.Reflection.MessageDescriptor;
using TypeRegistry = Google.Protobuf.Reflection.TypeRegistry;
using Google.Rpc;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SmpVision.Service.Configuration;
using V1 = SmpVision.Contracts.V1;

namespace SmpVision.Service.Http;

/// <summary>
/// Front door of the JSON routes (gRPC JSON transcoding), before the transcoder reads the body:
/// <list type="bullet">
/// <item>a body over <see cref="ServiceLimits.MaxJsonBodyBytes"/> is refused with RESOURCE_EXHAUSTED
/// (HTTP 413) and a field violation on "body", instead of the server's bare "request body too large";</item>
/// <item>the body of /v1/analyze and /v1/compare is checked against the request message: a value of the
/// wrong JSON type or an unknown enum name is refused with INVALID_ARGUMENT naming the field (the
/// transcoder's own message names none);</item>
/// <item>bytes fields in base64url (RFC 4648 section 5, which proto3 JSON accepts) are rewritten to the
/// standard alphabet the transcoder decodes.</item>
/// </list>
/// gRPC and gRPC-Web requests are not touched: their message limit is the gRPC server's.
/// </summary>
internal sealed class JsonRequestGate(RequestDelegate next, IOptions<ServiceOptions> options)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(TypeRegistry.FromMessages(BadRequest.Descriptor)));

    private readonly long _maxBodyBytes = ServiceLimits.MaxJsonBodyBytes(options.Value);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || !IsJson(request.ContentType) || !request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        if (request.ContentLength > _maxBodyBytes)
        {
            await RefuseTooLarge(context, request.ContentLength.Value);
            return;
        }

        var descriptor = DescriptorFor(request.Path);
        if (descriptor is null)
        {
            // Other JSON routes (records): the size limit only, enforced by the server at the same value.
            await next(context);
            return;
        }

        var body = await ReadBounded(context);
        if (body is null)
        {
            return; // refused as too large
        }

        var bytesFields = new List<(int Start, int Length)>();
        var violation = JsonRequestCheck.Check(body, descriptor, bytesFields);
        if (violation is { } v)
        {
            await Write(context, StatusCodes.Status400BadRequest, Code.InvalidArgument, v.Field, v.Description);
            return;
        }

        body = Base64Url.ToStandard(body, bytesFields);
        request.Body = new MemoryStream(body, writable: false);
        request.ContentLength = body.Length;
        await next(context);
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);

    private static MessageDescriptor? DescriptorFor(PathString path) =>
        path.Equals("/v1/analyze", StringComparison.Ordinal) ? V1.AnalyzeRequest.Descriptor
        : path.Equals("/v1/compare", StringComparison.Ordinal) ? V1.CompareRequest.Descriptor
        : null;

    /// <summary>The whole body, or null after answering 413 when it runs past the limit (chunked bodies have no length up front).</summary>
    private async Task<byte[]?> ReadBounded(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = _maxBodyBytes;
        }

        using var buffer = context.Request.ContentLength is { } n ? new MemoryStream((int)n) : new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > _maxBodyBytes)
                {
                    await RefuseTooLarge(context, null);
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RefuseTooLarge(context, null);
            return null;
        }

        return buffer.ToArray();
    }

    private Task RefuseTooLarge(HttpContext context, long? length) =>
        Write(
            context,
            StatusCodes.Status413PayloadTooLarge,
            Code.ResourceExhausted,
            "body",
            string.Create(CultureInfo.InvariantCulture, $"The JSON body{(length is { } l ? $" is {l} bytes; it" : string.Empty)} may be at most {_maxBodyBytes} bytes (base64 of the unary image limit, two images for Compare). Send larger photos with the gRPC AnalyzeUpload stream, or downscale them."));

    private static async Task Write(HttpContext context, int httpStatus, Code code, string field, string description)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)code,
            Message = description,
            Details = { Google.Protobuf.WellKnownTypes.Any.Pack(new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = description } } }) },
        };
        context.Response.StatusCode = httpStatus;
        context.Response.ContentType = "application/json; charset=utf-8";
        // The client may still be sending: close rather than drain a body that was refused.
        context.Response.Headers.Connection = "close";
        await context.Response.WriteAsync(Formatter.Format(status), context.RequestAborted);
    }
}
