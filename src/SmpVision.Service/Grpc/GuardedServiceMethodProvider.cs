using System.Reflection;
using Google.Protobuf;
using Google.Rpc;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SmpVision.Service.Configuration;
using SmpVision.Service.Errors;

namespace SmpVision.Service.Grpc;

/// <summary>
/// Binds every gRPC service as grpc-dotnet's own binder does (the generated BindService method,
/// handlers found by name), but with each request deserializer guarded: a body that is not a
/// valid protobuf message (a lone tag, field tag 0, invalid UTF-8) is answered INVALID_ARGUMENT
/// instead of the framework's UNKNOWN "Exception was thrown by handler", and every string field
/// of every parsed request is bounded (<see cref="RequestStringBounds"/>). Deserialization runs
/// before any interceptor, so this is the only place both can be enforced for unary calls.
/// </summary>
internal sealed class GuardedServiceMethodProvider<TService>(IOptions<ServiceOptions> options, ILogger<GuardedServiceMethodProvider<TService>> logger) : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        var bind = FindBindMethod(typeof(TService));
        if (bind is null)
        {
            Log.NoBindMethod(logger, typeof(TService).Name);
            return;
        }

        bind.Invoke(null, [new Binder(context, options.Value.MaxRequestStringChars), null]);
    }

    /// <summary>The static BindService(ServiceBinderBase, TBase) named by [BindServiceMethod] on the service's base types.</summary>
    private static MethodInfo? FindBindMethod(Type service)
    {
        for (var type = service; type is not null; type = type.BaseType)
        {
            var attribute = type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false);
            if (attribute is null)
            {
                continue;
            }

            return attribute.BindType
                .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .FirstOrDefault(m => m.Name == attribute.BindMethodName && m.GetParameters() is { Length: 2 } p && p[0].ParameterType == typeof(ServiceBinderBase));
        }

        return null;
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, int maxStringChars) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (info, metadata) = Handler(method.Name, typeof(TRequest), typeof(ServerCallContext));
            context.AddUnaryMethod(Guard(method), metadata, info.CreateDelegate<UnaryServerMethod<TService, TRequest, TResponse>>());
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (info, metadata) = Handler(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
            context.AddClientStreamingMethod(Guard(method), metadata, info.CreateDelegate<ClientStreamingServerMethod<TService, TRequest, TResponse>>());
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (info, metadata) = Handler(method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            context.AddServerStreamingMethod(Guard(method), metadata, info.CreateDelegate<ServerStreamingServerMethod<TService, TRequest, TResponse>>());
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (info, metadata) = Handler(method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
            context.AddDuplexStreamingMethod(Guard(method), metadata, info.CreateDelegate<DuplexStreamingServerMethod<TService, TRequest, TResponse>>());
        }

        /// <summary>The implementing method and its endpoint metadata (class then method attributes, as grpc-dotnet does, so [Authorize] keeps working).</summary>
        private static (MethodInfo Info, List<object> Metadata) Handler(string name, params Type[] parameters)
        {
            var info = typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)
                ?? throw new InvalidOperationException($"Could not find '{name}' on '{typeof(TService)}'.");
            var metadata = new List<object>(typeof(TService).GetCustomAttributes(inherit: true));
            metadata.AddRange(info.GetCustomAttributes(inherit: true));
            return (info, metadata);
        }

        private Method<TRequest, TResponse> Guard<TRequest, TResponse>(Method<TRequest, TResponse> method)
            where TRequest : class
            where TResponse : class
        {
            var inner = method.RequestMarshaller;
            var typeName = method.ServiceName + "." + method.Name + " request";
            var guarded = Marshallers.Create<TRequest>(inner.ContextualSerializer, ctx => Deserialize(inner, ctx, typeName));
            return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, guarded, method.ResponseMarshaller);
        }

        private TRequest Deserialize<TRequest>(Marshaller<TRequest> inner, DeserializationContext ctx, string typeName)
        {
            TRequest request;
            try
            {
                request = inner.ContextualDeserializer(ctx);
            }
            catch (Exception ex) when (ex is not RpcException)
            {
                // The parser's message names the defect (e.g. "invalid tag (zero)") and never the payload.
                throw RpcErrors.FieldViolation(Code.InvalidArgument, "", $"The body is not a valid protobuf {typeName}: {ex.Message} Send a message encoded by a protobuf library from the published .proto files.");
            }

            if (request is IMessage message && RequestStringBounds.FirstViolation(message, maxStringChars) is { } violation)
            {
                throw RpcErrors.FieldViolation(Code.InvalidArgument, violation.Field, $"The string field '{violation.Field}' is {violation.Length} characters long; at most {maxStringChars} are accepted. Its content is not echoed.");
            }

            return request;
        }
    }
}

/// <summary>Log messages of the provider.</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "gRPC service {Service} has no BindService method; it is not bound")]
    public static partial void NoBindMethod(ILogger logger, string service);
}

/// <summary>
/// Walks a parsed request and finds the first string field longer than the bound: strings are
/// ids and codes here, and an unbounded one once reached the error trailers (HTTP/2 header size
/// limit) and hung the connection.
/// </summary>
internal static class RequestStringBounds
{
    /// <summary>The path and length of the first over-long string, or null when all are within bounds.</summary>
    public static (string Field, int Length)? FirstViolation(IMessage message, int maxChars, string prefix = "", int depth = 0)
    {
        if (depth > 32)
        {
            return null; // the parser's recursion limit already bounds nesting; this keeps the walk cheap
        }

        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            var path = prefix.Length == 0 ? field.Name : prefix + "." + field.Name;
            var found = value switch
            {
                string s when s.Length > maxChars => (path, s.Length),
                IMessage nested => FirstViolation(nested, maxChars, path, depth + 1),
                System.Collections.IDictionary map => InMap(map, maxChars, path, depth),
                System.Collections.IList list => InList(list, maxChars, path, depth),
                _ => null,
            };
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private static (string, int)? InList(System.Collections.IList list, int maxChars, string path, int depth)
    {
        for (var i = 0; i < list.Count; i++)
        {
            var found = Item(list[i], maxChars, $"{path}[{i}]", depth);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private static (string, int)? InMap(System.Collections.IDictionary map, int maxChars, string path, int depth)
    {
        foreach (System.Collections.DictionaryEntry entry in map)
        {
            var found = Item(entry.Key, maxChars, path + "{key}", depth) ?? Item(entry.Value, maxChars, path + "{value}", depth);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private static (string, int)? Item(object? item, int maxChars, string path, int depth) => item switch
    {
        string s when s.Length > maxChars => (path, s.Length),
        IMessage nested => FirstViolation(nested, maxChars, path, depth + 1),
        _ => null,
    };
}
