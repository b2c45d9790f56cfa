using SmpVision.Pipeline.Overhead;
using Google.Protobuf;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Planning;
using SmpVision.Pipeline.Regions;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Segmentation;
using V1 = SmpVision.Contracts.V1;

namespace SmpVision.Service.Mapping;

/// <summary>Maps pipeline results (plain records) to API messages: copying only, no computation.</summary>
internal static class ResponseMapper
{
    private static readonly string ServiceVersion = typeof(ResponseMapper).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    public static V1.AnalyzeResponse ToProto(ScalpAnalysisResult result, OutputRequest output)
    {
        var response = new V1.AnalyzeResponse
        {
            Image = ToProto(result.Image),
            Modality = ToProto(result.Modality),
            ModalityDetected = result.ModalityDecision is not null,
            ModalityConfidence = result.ModalityDecision?.Confidence ?? 1.0,
            Scale = ToProto(result.Scale),
            Quality = ToProto(result.Quality),
            Measurements = ToProto(result.Density, result.Colour, result.HairPolarity),
            Plan = result.Plan is null ? null : ToProto(result.Plan),
            Overhead = result.Overhead is null ? null : ToProto(result.Overhead),
            Versions = new V1.Versions
            {
                Service = ServiceVersion,
                Pipeline = ScalpAnalyzer.PipelineVersion,
                Model = result.ModelVersion,
                Opencv = ScalpAnalyzer.OpenCvVersion,
            },
        };
        if (result.ModalityDecision is { } decision)
        {
            response.ModalityCues.AddRange(decision.Cues.Select(c => new V1.ModalityCue { Name = c.Name, Value = c.Value, ScoreUnits = c.ScoreUnits }));
        }

        response.Regions.AddRange(result.Regions.Select(ToProto));
        if (result.LabelMapPng is { } png)
        {
            response.LabelMap = new V1.LabelMap { Png = ByteString.CopyFrom(png), WidthPixels = (uint)result.Image.WidthPixels, HeightPixels = (uint)result.Image.HeightPixels };
            response.LabelMap.Legend.AddRange(RegionMap.Legend.Select(e => new V1.LegendEntry
            {
                Value = e.Value,
                RegionClass = ToProto(e.Class),
                Name = e.Name,
                DisplayColourHex = e.DisplayColourRgbHex,
            }));
        }

        if (result.PreviewPng is { } preview)
        {
            response.PreviewPng = ByteString.CopyFrom(preview);
        }

        if (output.Hairs)
        {
            response.Hairs.AddRange(result.Hairs.Select(ToProto));
        }

        response.Warnings.AddRange(result.Warnings.Select(ToProto));
        response.Timings.AddRange(result.Timings.Select(ToProto));
        return response;
    }

    public static V1.CompareResponse ToProto(ComparisonAnalysisResult result, OutputRequest output)
    {
        var change = result.Change;
        var registration = change.Registration;
        var response = new V1.CompareResponse
        {
            Before = ToProto(result.Before, output),
            After = ToProto(result.After, output),
            Registration = new V1.RegistrationInfo
            {
                Method = registration.Method switch
                {
                    RegistrationMethod.FeatureHomography => "feature-homography",
                    RegistrationMethod.Ecc => "ecc",
                    _ => "none",
                },
                MatchCount = (uint)registration.MatchCount,
                InlierCount = (uint)registration.InlierCount,
                InlierRatio = registration.InlierRatio,
                Message = registration.Message,
            },
            CommonAreaPixels = (ulong)change.CommonAreaPixels,
            CommonAreaFractionOfBefore = change.CommonAreaFractionOfBefore,
            Overall = change.Overall is null ? null : ToProto(change.Overall),
        };
        var r = response.Registration;
        r.HomographyAfterToBefore.AddRange(registration.HomographyAfterToBefore ?? []);
        SetIf(registration.MedianReprojectionErrorPixels, v => r.MedianResidualPixels = v);
        SetIf(registration.EccCorrelation, v => r.EccCorrelation = v);
        SetIf(registration.ScaleFactor, v => r.ScaleFactor = v);
        SetIf(registration.RotationDegrees, v => r.RotationDegrees = v);
        SetIf(registration.OverlapFraction, v => r.OverlapFraction = v);
        SetIf(change.CommonAreaSquareMillimetres, v => response.CommonAreaSquareMillimetres = v);
        response.Regions.AddRange(change.Regions.Select(ToProto));
        if (change.ChangeMapPng is { } map)
        {
            response.ChangeMapPng = ByteString.CopyFrom(map);
            response.ChangeMapLegend.AddRange(change.Legend.Select(e => new V1.ChangeMapLegendEntry { Label = e.Label, ColourHex = e.ColourHex, Meaning = e.Meaning }));
        }

        if (change.Differential is { } d)
        {
            response.Differential = new V1.DifferentialEvidence
            {
                AfterOnlyUnchangedCount = (uint)d.AfterOnlyUnchangedCount,
                BeforeOnlyUnchangedCount = (uint)d.BeforeOnlyUnchangedCount,
                GainedShaftCount = (uint)d.GainedShaftCount,
                GainedUnexplainedCount = (uint)d.GainedUnexplainedCount,
                LostShaftCount = (uint)d.LostShaftCount,
                LostUnexplainedCount = (uint)d.LostUnexplainedCount,
                NoiseSdLightness8Bit = d.NoiseSigmaLightness,
                ThresholdLightness8Bit = d.ThresholdLightness,
            };
        }

        response.Warnings.AddRange(result.Warnings.Select(ToProto));
        response.Timings.AddRange(result.Timings.Select(ToProto));
        return response;
    }

    private static V1.RegionChange ToProto(RegionChange c)
    {
        var proto = new V1.RegionChange
        {
            RegionClass = c.Region is { } cls ? ToProto(cls) : V1.RegionClass.Unspecified,
            AreaPixels = (ulong)c.AreaPixels,
            Hairs = ToProto(c.Hairs),
            FollicularUnits = ToProto(c.FollicularUnits),
            HairCoverage = ToProto(c.Coverage),
            BaldArea = c.BaldArea is null ? null : ToProto(c.BaldArea),
            MatchedHairs = (uint)c.Matching.MatchedCount,
            LostHairs = (uint)c.Matching.LostCount,
            GainedHairs = (uint)c.Matching.GainedCount,
        };
        SetIf(c.AreaSquareMillimetres, v => proto.AreaSquareMillimetres = v);
        return proto;
    }

    private static V1.CountChange ToProto(CountChange c)
    {
        var proto = new V1.CountChange
        {
            BeforeCount = (uint)c.BeforeCount,
            AfterCount = (uint)c.AfterCount,
            Difference = c.Difference,
            DifferenceStandardErrorCount = c.DifferenceStandardErrorCount,
            ZScore = c.ZScore,
            Significance = c.Significance switch
            {
                ChangeSignificance.Increase => V1.ChangeSignificance.Increase,
                ChangeSignificance.Decrease => V1.ChangeSignificance.Decrease,
                _ => V1.ChangeSignificance.NoSignificantChange,
            },
        };
        SetIf(c.RelativeChangeFraction, v => proto.RelativeChangeFraction = v);
        SetIf(c.RelativeChangeStandardErrorFraction, v => proto.RelativeChangeStandardErrorFraction = v);
        SetIf(c.BeforePerSquareCentimetre, v => proto.BeforePerSquareCentimetre = v);
        SetIf(c.AfterPerSquareCentimetre, v => proto.AfterPerSquareCentimetre = v);
        SetIf(c.ChangePerSquareCentimetre, v => proto.ChangePerSquareCentimetre = v);
        SetIf(c.ChangeStandardErrorPerSquareCentimetre, v => proto.ChangeStandardErrorPerSquareCentimetre = v);
        return proto;
    }

    private static V1.AreaChange ToProto(AreaChange a)
    {
        var proto = new V1.AreaChange { BeforeAreaFraction = a.BeforeAreaFraction, AfterAreaFraction = a.AfterAreaFraction, ChangeAreaFraction = a.ChangeAreaFraction };
        SetIf(a.BeforeAreaSquareMillimetres, v => proto.BeforeAreaSquareMillimetres = v);
        SetIf(a.AfterAreaSquareMillimetres, v => proto.AfterAreaSquareMillimetres = v);
        SetIf(a.ChangeAreaSquareMillimetres, v => proto.ChangeAreaSquareMillimetres = v);
        return proto;
    }

    private static V1.QualityAssessment ToProto(QualitySummary q)
    {
        var proto = new V1.QualityAssessment { Confidence = q.Confidence, AnalysableFraction = q.AnalysableFraction };
        SetIf(q.FocusScore, v => proto.FocusScore = v);
        SetIf(q.ClippedFraction, v => proto.ClippedFraction = v);
        SetIf(q.GlareFraction, v => proto.GlareFraction = v);
        proto.Flags.AddRange(q.Flags);
        return proto;
    }

    private static V1.OverallMeasurements? ToProto(TrichoscopyDensity? d, TrichoscopyColour? colour, HairPolarity? polarity)
    {
        if (d is null)
        {
            return null;
        }

        var m = new V1.OverallMeasurements
        {
            HairCount = (uint)d.HairCount,
            VisibleHairCount = (uint)d.VisibleHairCount,
            FollicularUnitCount = (uint)d.FollicularUnitCount,
            AnalysedAreaPixels = (ulong)d.AnalysableAreaPixels,
            AnalysedAreaFraction = d.AnalysableAreaFraction,
            HairCoverageFraction = d.HairCoverageFraction,
            Colour = colour is null ? null : ToProto(colour),
            HairPolarity = polarity switch
            {
                HairPolarity.Dark => V1.HairPolarity.Dark,
                HairPolarity.Light => V1.HairPolarity.Light,
                HairPolarity.Colour => V1.HairPolarity.Colour,
                _ => V1.HairPolarity.Unspecified,
            },
        };
        m.HairsPerFollicularUnitHistogram.AddRange(d.HairsPerFollicularUnitHistogram.Select(n => (uint)n));
        SetIf(d.AnalysableAreaSquareMillimetres, v => m.AnalysedAreaSquareMillimetres = v);
        SetIf(d.HairsPerSquareCentimetre, v => m.HairsPerSquareCentimetre = v);
        SetIf(d.HairsPerSquareCentimetreStandardError, v => m.HairsPerSquareCentimetreStandardError = v);
        SetIf(d.FollicularUnitsPerSquareCentimetre, v => m.FollicularUnitsPerSquareCentimetre = v);
        SetIf(d.FollicularUnitsPerSquareCentimetreStandardError, v => m.FollicularUnitsPerSquareCentimetreStandardError = v);
        SetIf(d.MeanHairsPerFollicularUnit, v => m.MeanHairsPerFollicularUnit = v);
        SetIf(d.VellusFraction, v => m.VellusFraction = v);
        SetIf(d.IntermediateFraction, v => m.IntermediateFraction = v);
        SetIf(d.TerminalFraction, v => m.TerminalFraction = v);
        SetIf(d.MeanShaftWidthMicrometres, v => m.MeanShaftWidthMicrometres = v);
        return m;
    }

    private static V1.ColourMeasurements ToProto(TrichoscopyColour c)
    {
        var proto = new V1.ColourMeasurements
        {
            Skin = c.Skin is { } skin ? ToProto(skin) : null,
            Hair = c.Hair is { } hair ? ToProto(hair) : null,
            SkinItaBand = ToProto(c.Band),
            ColourCalibrated = c.Calibrated,
            SkinColourReliable = c.SkinColourReliable,
        };
        SetIf(c.IndividualTypologyAngleDegrees, v => proto.SkinItaDegrees = v);
        SetIf(c.HairSkinDeltaE2000, v => proto.HairSkinDeltaE2000 = v);
        SetIf(c.HairSkinLightnessDifference, v => proto.HairSkinDeltaLightness = v);
        return proto;
    }

    private static V1.Hair ToProto(HairInstance h)
    {
        var proto = new V1.Hair
        {
            Id = (uint)h.Id,
            Emergence = ToProto(h.Emergence),
            Tip = ToProto(h.Tip),
            LengthPixels = h.LengthPixels,
            WidthPixels = h.WidthPixels,
            FollicularUnitId = (uint)Math.Max(0, h.FollicularUnitId),
            CutByFrameEdge = h.CutByFrameEdge,
            CountedInDensity = h.CountedInDensity,
            WidthClass = (V1.HairWidthClass)(int)h.WidthClass,
        };
        SetIf(h.WidthMicrometres, v => proto.WidthMicrometres = v);
        SetIf(h.LengthMicrometres, v => proto.LengthMicrometres = v);
        return proto;
    }

    private static V1.Region ToProto(ScalpRegion r)
    {
        var proto = new V1.Region
        {
            Id = (uint)r.Id,
            RegionClass = ToProto(r.Class),
            ScarKind = (V1.ScarKind)(int)r.ScarKind,
            AreaPixels = (ulong)r.AreaPixels,
            AreaFraction = r.AreaFraction,
            HairCount = (uint)r.HairCount,
            FollicularUnitCount = (uint)r.FollicularUnitCount,
            MeanSkinColour = ToProto(r.MeanSkinColour),
        };
        foreach (var polygon in r.Polygons)
        {
            var p = new V1.RegionPolygon { Outline = ToProto(polygon.Outer) };
            p.Holes.AddRange(polygon.Holes.Select(ToProto));
            proto.Polygons.Add(p);
        }

        SetIf(r.AreaSquareMillimetres, v => proto.AreaSquareMillimetres = v);
        SetIf(r.HairsPerSquareCentimetre, v => proto.HairsPerSquareCentimetre = v);
        SetIf(r.FollicularUnitsPerSquareCentimetre, v => proto.FollicularUnitsPerSquareCentimetre = v);
        SetIf(r.HairCoverageFraction, v => proto.HairCoverageFraction = v);
        SetIf(r.DensityRelativeToReference, v => proto.DensityRelativeToReference = v);
        return proto;
    }

    private static V1.SmpPlan ToProto(SmpPlan plan)
    {
        var reference = new V1.ReferenceDensity
        {
            FollicularUnitsPerSquareCentimetre = plan.Reference.FollicularUnitsPerSquareCentimetre,
            Source = plan.Reference.Source switch
            {
                ReferenceDensitySource.PatientMeasured => V1.ReferenceDensitySource.PatientMeasured,
                ReferenceDensitySource.ClinicRequest => V1.ReferenceDensitySource.ClinicRequest,
                ReferenceDensitySource.ZoneDefault => V1.ReferenceDensitySource.ZoneDefault,
                _ => V1.ReferenceDensitySource.Unspecified,
            },
            Citation = plan.Reference.Citation,
            MeasuredFollicularUnits = (uint)plan.Reference.MeasuredFollicularUnits,
        };
        SetIf(plan.Reference.MeasuredAreaSquareMillimetres, v => reference.MeasuredAreaSquareMillimetres = v);
        SetIf(plan.Reference.MeasuredFollicularUnitsPerSquareCentimetre, v => reference.MeasuredFollicularUnitsPerSquareCentimetre = v);

        var p = plan.Pigment;
        var pigment = new V1.PigmentRecommendation
        {
            DilutionLevel = (uint)p.DilutionLevel,
            HairlineDilutionLevel = (uint)p.HairlineDilutionLevel,
            SkinColour = p.SkinColour is { } skin ? ToProto(skin) : null,
            HairColour = p.HairColour is { } hair ? ToProto(hair) : null,
            SkinItaBand = ToProto(p.SkinItaBand),
            BodyNeedleMillimetres = p.BodyNeedleMillimetres,
            HairlineNeedleMillimetres = p.HairlineNeedleMillimetres,
            ColourCalibrated = p.ColourCalibrated,
            Rule = p.Rule,
        };
        SetIf(p.SkinItaDegrees, v => pigment.SkinItaDegrees = v);
        SetIf(p.HairSkinLightnessDifference, v => pigment.HairSkinDeltaLightness = v);

        var proto = new V1.SmpPlan
        {
            Reference = reference,
            SessionCount = (uint)plan.SessionCount,
            CurrentSession = (uint)plan.CurrentSession,
            Pigment = pigment,
        };
        SetIf(plan.MinDotSpacingPixels, v => proto.MinDotSpacingPixels = v);
        SetIf(plan.PixelsPerMillimetre, v => proto.PixelsPerMillimetre = v);
        proto.Regions.AddRange(plan.Regions.Select(ToProto));
        proto.Dots.AddRange(plan.Dots.Select(d => new V1.Dot { Position = ToProto(d.Position), Session = (uint)d.Session, RegionId = (uint)d.RegionId, InHairlineFeather = d.InHairlineFeather }));
        // plan.warnings is deprecated and left empty: the plan's warnings are in the response's list once.
        return proto;
    }

    private static V1.RegionPlan ToProto(RegionPlan r)
    {
        var proto = new V1.RegionPlan
        {
            RegionId = (uint)r.RegionId,
            RegionClass = ToProto(r.Class),
            ScarKind = (V1.ScarKind)(int)r.ScarKind,
            Pigmented = r.Pigmented,
            TargetDotsPerSquareCentimetre = r.TargetDotsPerSquareCentimetre,
            HighFadingRisk = r.HighFadingRisk,
            ExtraTouchUpSession = r.ExtraTouchUpSession,
            Rule = r.Rule,
        };
        SetIf(r.ExistingFollicularUnitsPerSquareCentimetre, v => proto.ExistingFollicularUnitsPerSquareCentimetre = v);
        SetIf(r.HairlineEdgeDotsPerSquareCentimetre, v => proto.HairlineEdgeDotsPerSquareCentimetre = v);
        foreach (var s in r.Sessions)
        {
            var session = new V1.SessionTarget
            {
                Session = (uint)s.Session,
                CumulativeFraction = s.CumulativeFraction,
                CumulativeDotsPerSquareCentimetre = s.CumulativeDotsPerSquareCentimetre,
                AddedDotsPerSquareCentimetre = s.AddedDotsPerSquareCentimetre,
                IsTouchUp = s.IsTouchUp,
            };
            SetIf(s.CumulativeDotCount, v => session.CumulativeDotCount = (uint)v);
            SetIf(s.AddedDotCount, v => session.AddedDotCount = (uint)v);
            proto.Sessions.Add(session);
        }

        return proto;
    }

    private static V1.OverheadMeasurements ToProto(OverheadSummary o)
    {
        var proto = new V1.OverheadMeasurements
        {
            BaldFractionOfScalp = o.BaldFractionOfScalp,
            ThinningFractionOfScalp = o.ThinningFractionOfScalp,
            HairBearingFractionOfScalp = o.HairBearingFractionOfScalp,
            HeadFractionOfFrame = o.HeadFractionOfFrame,
            Hairline = o.Hairline is null ? null : ToProto(o.Hairline),
            View = ToProto(o.View),
            ViewDetected = o.ViewDetected,
            FaceEdge = o.Front switch
            {
                FrontDirection.Up => V1.HairlineEdge.Top,
                FrontDirection.Left => V1.HairlineEdge.Left,
                FrontDirection.Right => V1.HairlineEdge.Right,
                _ => V1.HairlineEdge.Bottom,
            },
            FaceEdgeDetected = o.FrontDetected,
            OrientationConfidence = o.OrientationConfidence,
            FaceFractionOfFrame = o.FaceFractionOfFrame,
            BaldScalpSkinColour = o.BaldScalpSkinColour is { } skin ? ToProto(skin) : null,
        };
        proto.TreatmentBoundary.AddRange(o.TreatmentBoundary.Select(ToProto));
        SetIf(o.ScalpAreaSquareCentimetres, v => proto.ScalpAreaSquareCentimetres = v);
        SetIf(o.BaldAreaSquareCentimetres, v => proto.BaldAreaSquareCentimetres = v);
        proto.Zones.AddRange(o.Zones.Select(z => new V1.OverheadZone
        {
            Zone = (V1.ScalpZone)(int)z.Zone,
            Outline = ToProto(z.Outline),
            AreaFractionOfScalp = z.AreaFractionOfScalp,
            BaldFraction = z.BaldFraction,
            ThinningFraction = z.ThinningFraction,
        }));
        return proto;
    }

    private static V1.RegionClass ToProto(RegionClass c) => (V1.RegionClass)(int)c;

    /// <summary>Pipeline view to API view (TopDown is the API's TOP).</summary>
    public static V1.OverheadView ToProto(OverheadView v) => v switch
    {
        OverheadView.TopDown => V1.OverheadView.Top,
        OverheadView.Frontal => V1.OverheadView.Front,
        OverheadView.Left => V1.OverheadView.Left,
        OverheadView.Right => V1.OverheadView.Right,
        OverheadView.Back => V1.OverheadView.Back,
        _ => V1.OverheadView.Unspecified,
    };

    private static V1.ItaBand ToProto(ItaBand b) => (V1.ItaBand)(int)b;

    private static V1.StageTiming ToProto(StageTiming t) => new() { Stage = t.Stage, Milliseconds = t.Milliseconds };

    /// <summary>Sets an optional proto field only when the pipeline value is known (absent = unknown, never 0).</summary>
    private static void SetIf<T>(T? value, Action<T> set)
        where T : struct
    {
        if (value is { } v)
        {
            set(v);
        }
    }

    public static V1.ImageInfo ToProto(ImageInfo info) => new()
    {
        Format = ImageHeaderReader.Name(info.Format),
        WidthPixels = (uint)info.WidthPixels,
        HeightPixels = (uint)info.HeightPixels,
        EncodedWidthPixels = (uint)info.EncodedWidthPixels,
        EncodedHeightPixels = (uint)info.EncodedHeightPixels,
        Channels = (uint)info.Channels,
        BitDepth = (uint)info.BitDepth,
        ExifOrientationApplied = (uint)info.ExifOrientation,
        EncodedSizeBytes = (ulong)info.EncodedSizeBytes,
        DecodeReductionFactor = (uint)info.ReductionFactor,
    };

    public static V1.Modality ToProto(Modality modality) => modality switch
    {
        Modality.Trichoscopy => V1.Modality.Trichoscopy,
        Modality.Overhead => V1.Modality.Overhead,
        _ => V1.Modality.Unspecified,
    };

    public static V1.ScaleInfo ToProto(Scale? scale) => scale is null
        ? new V1.ScaleInfo { Source = V1.ScaleSource.None, Description = "no scale: fractions and counts only" }
        : new V1.ScaleInfo
        {
            Source = scale.Source switch
            {
                ScaleSource.Request => V1.ScaleSource.Request,
                ScaleSource.DeviceProfile => V1.ScaleSource.DeviceProfile,
                ScaleSource.ScaleBar => V1.ScaleSource.ScaleBar,
                ScaleSource.Marker => V1.ScaleSource.Marker,
                _ => V1.ScaleSource.None,
            },
            PixelsPerMillimetre = scale.PixelsPerMillimetre,
            RelativeUncertainty = scale.RelativeUncertainty,
            Description = scale.Description,
        };

    public static V1.Warning ToProto(PipelineWarning warning) => new() { Code = warning.Code, Message = warning.Message };

    public static V1.PointPixels ToProto(PointPixels p) => new() { X = p.X, Y = p.Y };

    public static V1.PolygonPixels ToProto(PolygonPixels polygon)
    {
        var result = new V1.PolygonPixels();
        result.Vertices.AddRange(polygon.Vertices.Select(ToProto));
        return result;
    }

    public static V1.LabColour ToProto(LabColour c) => new() { L = c.L, A = c.A, B = c.B };
}
