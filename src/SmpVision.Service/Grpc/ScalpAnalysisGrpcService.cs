using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SmpVision.Contracts.V1;
using SmpVision.Pipeline.Overhead;
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

    /// <summary>
    /// One analysis per view (modality overhead, the view and its clinician input from the
    /// request), then the head-level SALT-weighted combination (<see cref="HeadScore"/>).
    /// </summary>
    public override async Task<AnalyzeHeadResponse> AnalyzeHead(AnalyzeHeadRequest request, ServerCallContext context)
    {
        var views = RequestMapper.ToHeadViews(request);
        var response = new AnalyzeHeadResponse();
        var fractions = new List<(SmpVision.Pipeline.Overhead.OverheadView, double)>();
        for (int i = 0; i < views.Count; i++)
        {
            CheckUnarySize(request.Views[i].Image.Length, $"views[{i}].image");
            var (view, pipelineRequest) = views[i];
            var result = await runner.AnalyzeAsync(request.Views[i].Image.ToByteArray(), pipelineRequest, context.CancellationToken);
            var analysis = ResponseMapper.ToProto(result, pipelineRequest.Output);
            fractions.Add((view, result.Overhead?.BaldFractionOfScalp ?? 0));
            response.Views.Add(new HeadViewResult { View = request.Views[i].View, SaltWeight = HeadScore.SaltWeight(view), Analysis = analysis });
        }

        var head = HeadScore.Combine(fractions);
        response.BaldFractionOfHead = head.BaldFractionOfHead;
        if (head.SaltLikeScorePercent is { } salt)
        {
            response.SaltLikeScorePercent = salt;
        }

        response.SaltWeightCoveredFraction = head.SaltWeightCoveredFraction;
        response.Warnings.AddRange(head.Warnings.Select(ResponseMapper.ToProto));
        return response;
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
