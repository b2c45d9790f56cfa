using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SmpVision.Records;
using V1 = SmpVision.Contracts.V1;

namespace SmpVision.Service.Records;

/// <summary>Maps record-library types to and from the records.proto messages.</summary>
internal static class RecordMapper
{
    // Documents are stored as protobuf JSON: readable in the database and stable across field additions.
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>Two-sided 95% band of counting noise, in standard errors.</summary>
    public const double BandStandardErrors = 1.96;

    public static string ToJson(IMessage message) => Formatter.Format(message);

    public static T FromJson<T>(string json)
        where T : IMessage<T>, new() => Parser.Parse<T>(json);

    public static Timestamp ToProto(DateTimeOffset at) => Timestamp.FromDateTimeOffset(at);

    public static V1.Patient ToProto(PatientRecord p) => new() { PatientId = p.PatientId, CreateTime = ToProto(p.CreatedAt) };

    public static V1.Visit ToProto(VisitRecord v) => new()
    {
        VisitId = v.VisitId,
        PatientId = v.PatientId,
        VisitDate = v.VisitDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Note = v.Note,
        CreateTime = ToProto(v.CreatedAt),
    };

    public static V1.Versions ToProto(AnalysisVersions v) => new() { Service = v.Service, Pipeline = v.Pipeline, Model = v.Model, Opencv = v.OpenCv };

    public static AnalysisVersions FromProto(V1.Versions? v) => v is null ? new AnalysisVersions("", "", "", "") : new AnalysisVersions(v.Service, v.Pipeline, v.Model, v.Opencv);

    public static V1.Capture ToProto(CaptureRecord c, byte[]? image)
    {
        var analysis = FromJson<V1.AnalyzeResponse>(c.AnalysisJson);
        return new V1.Capture
        {
            CaptureId = c.CaptureId,
            VisitId = c.VisitId,
            PatientId = c.PatientId,
            Zone = ParseEnum<V1.ScalpZone>(c.Facts.Zone),
            View = ParseEnum<V1.CaptureView>(c.Facts.View),
            Modality = ParseEnum<V1.Modality>(c.Facts.Modality),
            DeviceId = c.Facts.DeviceId,
            Scale = analysis.Scale,
            ImageSha256 = c.ImageSha256,
            ImageSizeBytes = (ulong)c.ImageSizeBytes,
            Image = image is null ? ByteString.Empty : ByteString.CopyFrom(image),
            Analysis = analysis,
            Versions = ToProto(c.Versions),
            Options = FromJson<V1.AnalysisOptions>(c.OptionsJson),
            CreateTime = ToProto(c.CreatedAt),
        };
    }

    /// <summary>The facts and history columns of a new capture, from its options and analysis.</summary>
    public static (CaptureFacts Facts, CaptureMeasurements Measurements) Summarise(V1.AnalysisOptions options, V1.CaptureView view, V1.AnalyzeResponse analysis)
    {
        var facts = new CaptureFacts(
            options.Zone.ToString(),
            view.ToString(),
            analysis.Modality.ToString(),
            options.Scale?.Device?.DeviceId ?? "",
            analysis.Scale?.Source.ToString() ?? V1.ScaleSource.None.ToString(),
            analysis.Scale is { HasPixelsPerMillimetre: true } s ? s.PixelsPerMillimetre : null);
        var m = analysis.Measurements ?? new V1.OverallMeasurements();
        var measurements = new CaptureMeasurements(
            m.HairCount,
            m.FollicularUnitCount,
            m.HasHairsPerSquareCentimetre ? m.HairsPerSquareCentimetre : null,
            m.HasHairsPerSquareCentimetreStandardError ? m.HairsPerSquareCentimetreStandardError : null,
            m.HasFollicularUnitsPerSquareCentimetre ? m.FollicularUnitsPerSquareCentimetre : null,
            m.HasFollicularUnitsPerSquareCentimetreStandardError ? m.FollicularUnitsPerSquareCentimetreStandardError : null,
            analysis.Overhead?.BaldFractionOfScalp);
        return (facts, measurements);
    }

    public static V1.Comparison ToProto(ComparisonRecord c, V1.CompareResponse? result = null) => new()
    {
        ComparisonId = c.ComparisonId,
        PatientId = c.PatientId,
        BeforeCaptureId = c.BeforeCaptureId,
        AfterCaptureId = c.AfterCaptureId,
        Result = result ?? FromJson<V1.CompareResponse>(c.ResultJson),
        Versions = ToProto(c.Versions),
        BeforeCaptureVersions = ToProto(c.BeforeCaptureVersions),
        AfterCaptureVersions = ToProto(c.AfterCaptureVersions),
        Reanalysed = c.Reanalysed,
        ReanalysisNote = c.ReanalysisNote,
        CreateTime = ToProto(c.CreatedAt),
    };

    /// <summary>Groups history rows by zone (in zone enum order), points in visit-date order, with their 95% counting bands.</summary>
    public static V1.DensityHistory ToProto(string patientId, IReadOnlyList<HistoryRow> rows)
    {
        var history = new V1.DensityHistory { PatientId = patientId };
        foreach (var zone in rows.GroupBy(r => ParseEnum<V1.ScalpZone>(r.Facts.Zone)).OrderBy(g => (int)g.Key))
        {
            var zoneHistory = new V1.ZoneHistory { Zone = zone.Key };
            zoneHistory.Points.AddRange(zone.Select(ToPoint));
            history.Zones.Add(zoneHistory);
        }

        return history;
    }

    private static V1.DensityPoint ToPoint(HistoryRow r)
    {
        var m = r.Measurements;
        // Poisson counting noise: the standard error of a count n is sqrt(n).
        var countHalfBand = BandStandardErrors * Math.Sqrt(m.HairCount);
        var point = new V1.DensityPoint
        {
            VisitId = r.VisitId,
            VisitDate = r.VisitDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            CaptureId = r.CaptureId,
            Modality = ParseEnum<V1.Modality>(r.Facts.Modality),
            ScaleSource = ParseEnum<V1.ScaleSource>(r.Facts.ScaleSource),
            HairCount = (uint)m.HairCount,
            HairCountBandLow = Math.Max(0, m.HairCount - countHalfBand),
            HairCountBandHigh = m.HairCount + countHalfBand,
            ModelVersion = r.Versions.Model,
        };
        if (m.HairsPerSquareCentimetre is { } density)
        {
            point.HairsPerSquareCentimetre = density;
            var se = m.HairsPerSquareCentimetreStandardError ?? 0;
            point.HairsPerSquareCentimetreStandardError = se;
            point.HairsPerSquareCentimetreBandLow = Math.Max(0, density - (BandStandardErrors * se));
            point.HairsPerSquareCentimetreBandHigh = density + (BandStandardErrors * se);
        }

        if (m.FollicularUnitsPerSquareCentimetre is { } fu)
        {
            point.FollicularUnitsPerSquareCentimetre = fu;
            point.FollicularUnitsPerSquareCentimetreStandardError = m.FollicularUnitsPerSquareCentimetreStandardError ?? 0;
        }

        if (m.BaldFractionOfScalp is { } bald)
        {
            point.BaldFractionOfScalp = bald;
        }

        return point;
    }

    public static T ParseEnum<T>(string name)
        where T : struct, System.Enum => System.Enum.TryParse<T>(name, out var value) ? value : default;
}
