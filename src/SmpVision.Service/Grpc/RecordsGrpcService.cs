using System.Data.Common;
using System.Globalization;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SmpVision.Contracts.V1;
using SmpVision.Records;
using SmpVision.Service.Configuration;
using SmpVision.Service.Errors;
using SmpVision.Service.Hosting;
using SmpVision.Service.Mapping;
using SmpVision.Service.Records;
using SmpVision.Service.Security;

namespace SmpVision.Service.Grpc;

/// <summary>
/// The smpvision.v1.Records service. It maps messages onto the record store, scoped to the
/// caller's clinic, and audits every call. Another clinic's id is NOT_FOUND, like a missing one.
/// </summary>
internal sealed partial class RecordsGrpcService(
    IRecordStore store,
    AnalysisRunner runner,
    StoredComparisons comparisons,
    RecordAudit audit,
    IOptions<ServiceOptions> options,
    ILogger<RecordsGrpcService> logger) : global::SmpVision.Contracts.V1.Records.RecordsBase
{
    public override Task<Patient> CreatePatient(CreatePatientRequest request, ServerCallContext context) =>
        Audited(context, "CreatePatient", new AuditTarget("patient", request.PatientId, request.PatientId), async (clinic, _) =>
            RecordMapper.ToProto(await store.CreatePatientAsync(clinic, request.PatientId, context.CancellationToken)));

    public override Task<Patient> GetPatient(GetPatientRequest request, ServerCallContext context) =>
        Audited(context, "GetPatient", new AuditTarget("patient", request.PatientId, request.PatientId), async (clinic, _) =>
            RecordMapper.ToProto(await store.GetPatientAsync(clinic, request.PatientId, context.CancellationToken) ?? throw NotFound("patient", request.PatientId)));

    public override Task<ListPatientsResponse> ListPatients(ListPatientsRequest request, ServerCallContext context) =>
        Audited(context, "ListPatients", new AuditTarget("patient", "", null), async (clinic, _) =>
        {
            var page = await store.ListPatientsAsync(clinic, new PageRequest(request.PageSize, request.PageToken), context.CancellationToken);
            var response = new ListPatientsResponse { NextPageToken = page.NextToken ?? "" };
            response.Patients.AddRange(page.Items.Select(RecordMapper.ToProto));
            return response;
        });

    public override Task<DeleteResponse> DeletePatient(DeletePatientRequest request, ServerCallContext context) =>
        Audited(context, "DeletePatient", new AuditTarget("patient", request.PatientId, request.PatientId), async (clinic, _) =>
            ToProto(await store.DeletePatientAsync(clinic, request.PatientId, context.CancellationToken) ?? throw NotFound("patient", request.PatientId)));

    public override Task<Visit> CreateVisit(CreateVisitRequest request, ServerCallContext context) =>
        Audited(context, "CreateVisit", new AuditTarget("visit", "", request.PatientId), async (clinic, target) =>
        {
            if (!DateOnly.TryParseExact(request.VisitDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw RpcErrors.FieldViolation(Code.InvalidArgument, "visit_date", $"visit_date must be a calendar date YYYY-MM-DD (e.g. 2026-03-01); got '{request.VisitDate}'.");
            }

            var visit = await store.CreateVisitAsync(clinic, request.PatientId, date, request.Note, context.CancellationToken) ?? throw NotFound("patient", request.PatientId);
            target.RecordId = visit.VisitId;
            return RecordMapper.ToProto(visit);
        });

    public override Task<Visit> GetVisit(GetVisitRequest request, ServerCallContext context) =>
        Audited(context, "GetVisit", new AuditTarget("visit", request.VisitId, null), async (clinic, target) =>
        {
            var visit = await store.GetVisitAsync(clinic, request.VisitId, context.CancellationToken) ?? throw NotFound("visit", request.VisitId);
            target.PatientId = visit.PatientId;
            return RecordMapper.ToProto(visit);
        });

    public override Task<ListVisitsResponse> ListVisits(ListVisitsRequest request, ServerCallContext context) =>
        Audited(context, "ListVisits", new AuditTarget("visit", "", request.PatientId), async (clinic, _) =>
        {
            var page = await store.ListVisitsAsync(clinic, request.PatientId, new PageRequest(request.PageSize, request.PageToken), context.CancellationToken)
                ?? throw NotFound("patient", request.PatientId);
            var response = new ListVisitsResponse { NextPageToken = page.NextToken ?? "" };
            response.Visits.AddRange(page.Items.Select(RecordMapper.ToProto));
            return response;
        });

    public override Task<DeleteResponse> DeleteVisit(DeleteVisitRequest request, ServerCallContext context) =>
        Audited(context, "DeleteVisit", new AuditTarget("visit", request.VisitId, null), async (clinic, _) =>
            ToProto(await store.DeleteVisitAsync(clinic, request.VisitId, context.CancellationToken) ?? throw NotFound("visit", request.VisitId)));

    public override Task<Capture> CreateCapture(CreateCaptureRequest request, ServerCallContext context) =>
        Audited(context, "CreateCapture", new AuditTarget("capture", "", null), async (clinic, target) =>
        {
            CheckUnarySize(request.Image.Length);
            // The visit first: a wrong id must not cost an analysis.
            var visit = await store.GetVisitAsync(clinic, request.VisitId, context.CancellationToken) ?? throw NotFound("visit", request.VisitId);
            target.PatientId = visit.PatientId;
            var captureOptions = request.Options?.Clone() ?? new AnalysisOptions();
            captureOptions.Output = null; // stored results never keep label maps, previews or hair lists
            var pipelineRequest = RequestMapper.ToPipeline(captureOptions);
            var image = request.Image.ToByteArray();
            var result = await runner.AnalyzeAsync(image, pipelineRequest, context.CancellationToken);
            var analysis = ResponseMapper.ToProto(result, pipelineRequest.Output);
            analysis.Timings.Clear();
            var (facts, measurements) = RecordMapper.Summarise(captureOptions, request.View, analysis);
            var capture = new NewCapture(request.VisitId, facts, image, RecordMapper.FromProto(analysis.Versions), RecordMapper.ToJson(captureOptions), RecordMapper.ToJson(analysis), measurements);
            var record = await store.CreateCaptureAsync(clinic, capture, context.CancellationToken) ?? throw NotFound("visit", request.VisitId);
            target.RecordId = record.CaptureId;
            return RecordMapper.ToProto(record, null);
        });

    public override Task<Capture> GetCapture(GetCaptureRequest request, ServerCallContext context) =>
        Audited(context, "GetCapture", new AuditTarget("capture", request.CaptureId, null), async (clinic, target) =>
        {
            var capture = await store.GetCaptureAsync(clinic, request.CaptureId, context.CancellationToken) ?? throw NotFound("capture", request.CaptureId);
            target.PatientId = capture.PatientId;
            var image = request.IncludeImage ? await store.ReadImageAsync(capture, context.CancellationToken) : null;
            return RecordMapper.ToProto(capture, image);
        });

    public override Task<ListCapturesResponse> ListCaptures(ListCapturesRequest request, ServerCallContext context) =>
        Audited(context, "ListCaptures", new AuditTarget("capture", "", null), async (clinic, _) =>
        {
            var page = await store.ListCapturesAsync(clinic, request.VisitId, new PageRequest(request.PageSize, request.PageToken), context.CancellationToken)
                ?? throw NotFound("visit", request.VisitId);
            var response = new ListCapturesResponse { NextPageToken = page.NextToken ?? "" };
            response.Captures.AddRange(page.Items.Select(c => RecordMapper.ToProto(c, null)));
            return response;
        });

    public override Task<DeleteResponse> DeleteCapture(DeleteCaptureRequest request, ServerCallContext context) =>
        Audited(context, "DeleteCapture", new AuditTarget("capture", request.CaptureId, null), async (clinic, _) =>
            ToProto(await store.DeleteCaptureAsync(clinic, request.CaptureId, context.CancellationToken) ?? throw NotFound("capture", request.CaptureId)));

    public override Task<Comparison> CompareCaptures(CompareCapturesRequest request, ServerCallContext context) =>
        Audited(context, "CompareCaptures", new AuditTarget("comparison", "", null), async (clinic, target) =>
        {
            var before = await store.GetCaptureAsync(clinic, request.BeforeCaptureId, context.CancellationToken) ?? throw NotFound("capture", request.BeforeCaptureId, "before_capture_id");
            var after = await store.GetCaptureAsync(clinic, request.AfterCaptureId, context.CancellationToken) ?? throw NotFound("capture", request.AfterCaptureId, "after_capture_id");
            target.PatientId = before.PatientId;
            if (before.PatientId != after.PatientId)
            {
                throw RpcErrors.FieldViolation(Code.InvalidArgument, "after_capture_id", "The two captures belong to different patients; compare captures of one patient.");
            }

            var (stored, result) = await comparisons.CompareAsync(before, after, request.ReturnChangeMap, context.CancellationToken);
            var record = await store.CreateComparisonAsync(clinic, stored, context.CancellationToken) ?? throw NotFound("capture", request.BeforeCaptureId, "before_capture_id");
            target.RecordId = record.ComparisonId;
            return RecordMapper.ToProto(record, result);
        });

    public override Task<Comparison> GetComparison(GetComparisonRequest request, ServerCallContext context) =>
        Audited(context, "GetComparison", new AuditTarget("comparison", request.ComparisonId, null), async (clinic, target) =>
        {
            var comparison = await store.GetComparisonAsync(clinic, request.ComparisonId, context.CancellationToken) ?? throw NotFound("comparison", request.ComparisonId);
            target.PatientId = comparison.PatientId;
            return RecordMapper.ToProto(comparison);
        });

    public override Task<ListComparisonsResponse> ListComparisons(ListComparisonsRequest request, ServerCallContext context) =>
        Audited(context, "ListComparisons", new AuditTarget("comparison", "", request.PatientId), async (clinic, _) =>
        {
            var page = await store.ListComparisonsAsync(clinic, request.PatientId, new PageRequest(request.PageSize, request.PageToken), context.CancellationToken)
                ?? throw NotFound("patient", request.PatientId);
            var response = new ListComparisonsResponse { NextPageToken = page.NextToken ?? "" };
            response.Comparisons.AddRange(page.Items.Select(c => RecordMapper.ToProto(c)));
            return response;
        });

    public override Task<DensityHistory> GetDensityHistory(GetDensityHistoryRequest request, ServerCallContext context) =>
        Audited(context, "GetDensityHistory", new AuditTarget("patient", request.PatientId, request.PatientId), async (clinic, _) =>
        {
            if (!System.Enum.IsDefined(request.Zone))
            {
                throw RpcErrors.FieldViolation(Code.InvalidArgument, "zone", $"Unknown scalp zone value {(int)request.Zone}.");
            }

            var zone = request.Zone == ScalpZone.Unspecified ? null : request.Zone.ToString();
            var rows = await store.GetHistoryAsync(clinic, request.PatientId, zone, context.CancellationToken) ?? throw NotFound("patient", request.PatientId);
            return RecordMapper.ToProto(request.PatientId, rows);
        });

    /// <summary>
    /// Runs one call for the caller's clinic, turns store refusals into statuses and writes the
    /// audit entry with the outcome, whatever it is.
    /// </summary>
    private async Task<T> Audited<T>(ServerCallContext context, string verb, AuditTarget target, Func<string, AuditTarget, Task<T>> work)
    {
        var caller = CallerIdentity.Of(context);
        var outcome = "OK";
        try
        {
            return await work(caller.ClinicId, target);
        }
        catch (RpcException ex)
        {
            outcome = ex.StatusCode.ToString();
            throw;
        }
        catch (RecordArgumentException ex)
        {
            outcome = nameof(StatusCode.InvalidArgument);
            throw RpcErrors.FieldViolation(Code.InvalidArgument, ex.Field, ex.Message);
        }
        catch (RecordConflictException ex)
        {
            outcome = nameof(StatusCode.AlreadyExists);
            throw RpcErrors.Refused(Code.AlreadyExists, "RECORD_EXISTS", ex.Message);
        }
        catch (RecordCorruptException ex)
        {
            outcome = nameof(StatusCode.DataLoss);
            throw RpcErrors.Plain(Code.DataLoss, ex.Message);
        }
        catch (DbException ex)
        {
            // The database is down or a concurrent change won: nothing half-done stays (transactions), so a retry is safe.
            outcome = nameof(StatusCode.Unavailable);
            LogStoreFailed(logger, verb, ex);
            throw StoreUnavailable();
        }
        catch (Exception ex)
        {
            outcome = ex.GetType().Name; // mapped by the error interceptor (invalid image, cancelled, ...)
            throw;
        }
        finally
        {
            await audit.WriteAsync(caller, verb, target, outcome);
        }
    }

    /// <summary>UNAVAILABLE with a retry delay: the record store could not complete the call.</summary>
    internal static RpcException StoreUnavailable() =>
        new Google.Rpc.Status
        {
            Code = (int)Code.Unavailable,
            Message = "The record store could not complete the call (database unreachable or a concurrent change). Nothing was half-written; retry in a few seconds.",
            Details = { Google.Protobuf.WellKnownTypes.Any.Pack(new RetryInfo { RetryDelay = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) }) },
        }.ToRpcException();

    [LoggerMessage(Level = LogLevel.Error, Message = "{Verb}: the record store failed")]
    private static partial void LogStoreFailed(ILogger logger, string verb, Exception exception);

    private static RpcException NotFound(string kind, string id, string? field = null) =>
        RpcErrors.FieldViolation(Code.NotFound, field ?? kind + "_id", $"No {kind} '{id}' in this clinic.");

    private static DeleteResponse ToProto(DeletionSummary d) => new()
    {
        DeletedVisitCount = (uint)d.Visits,
        DeletedCaptureCount = (uint)d.Captures,
        DeletedComparisonCount = (uint)d.Comparisons,
        DeletedImageFileCount = (uint)d.ImageFiles,
    };

    private void CheckUnarySize(int length)
    {
        var limit = options.Value.MaxUnaryImageBytes;
        if (length > limit)
        {
            throw RpcErrors.FieldViolation(Code.ResourceExhausted, "image", $"The image is {length / 1048576.0:0.#} MiB; captures take at most {limit / 1048576.0:0.#} MiB.");
        }
    }
}
