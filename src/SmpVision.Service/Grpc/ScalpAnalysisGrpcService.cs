using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SmpVision.Contracts.V1;
using SmpVision.Service.Configuration;
using SmpVision.Service.Errors;
using SmpVision.Service.Hosting;
using SmpVision.Service.Mapping;

namespace SmpVision.Service.Grpc;

/// <summary>
/// The smpvision.v1.ScalpAnalysis service. It only maps messages: limits and validation live in
/// the mappers and the upload assembler, the analysis in the pipeline, errors in the interceptor.
/// </summary>
internal sealed class ScalpAnalysisGrpcService(
    AnalysisRunner runner,
    ImageUploadAssembler uploads,
    IOptions<ServiceOptions> options) : ScalpAnalysis.ScalpAnalysisBase
{
    public override async Task<AnalyzeResponse> Analyze(AnalyzeRequest request, ServerCallContext context)
    {
        CheckUnarySize(request.Image.Length, "image");
        var pipelineRequest = RequestMapper.ToPipeline(request.Options);
        var result = await runner.AnalyzeAsync(request.Image.ToByteArray(), pipelineRequest, context.CancellationToken);
        return ResponseMapper.ToProto(result, pipelineRequest.Output);
    }

    public override async Task<AnalyzeResponse> AnalyzeUpload(IAsyncStreamReader<AnalyzeUploadRequest> requestStream, ServerCallContext context)
    {
        // The upload keeps its slot and byte reservation until the analysis of its image ends.
        using var upload = await uploads.ReadAsync(requestStream, context.CancellationToken);
        var pipelineRequest = RequestMapper.ToPipeline(upload.Header.Options, "header.options");
        var result = await runner.AnalyzeAsync(upload.Image, pipelineRequest, context.CancellationToken);
        return ResponseMapper.ToProto(result, pipelineRequest.Output);
    }

    public override async Task<CompareResponse> Compare(CompareRequest request, ServerCallContext context)
    {
        CheckUnarySize(request.BeforeImage.Length, "before_image");
        CheckUnarySize(request.AfterImage.Length, "after_image");
        var pipelineRequest = RequestMapper.ToPipeline(request.Options);
        var afterScale = RequestMapper.ToScale(request.AfterScale, "after_scale");
        var result = await runner.CompareAsync(request.BeforeImage.ToByteArray(), request.AfterImage.ToByteArray(), pipelineRequest, afterScale, request.ReturnChangeMap, context.CancellationToken);
        return ResponseMapper.ToProto(result, pipelineRequest.Output);
    }

    private void CheckUnarySize(int length, string field)
    {
        var limit = options.Value.MaxUnaryImageBytes;
        if (length > limit)
        {
            throw RpcErrors.FieldViolation(Code.ResourceExhausted, field, $"The image is {length / 1048576.0:0.#} MiB; unary calls take at most {limit / 1048576.0:0.#} MiB. Send it through AnalyzeUpload in chunks.");
        }
    }
}
