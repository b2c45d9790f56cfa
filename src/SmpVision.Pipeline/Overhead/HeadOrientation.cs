using OpenCvSharp;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Overhead;

/// <summary>
/// View, face direction and face mask of one overhead photo. Owns the face mask until
/// <see cref="TakeFaceMask"/> hands it over.
/// </summary>
internal sealed class OrientationResult
{
    private Mat? _faceMask;

    internal OrientationResult(Mat? faceMask) => _faceMask = faceMask;

    internal OverheadView View { get; init; }

    internal bool ViewDetected { get; init; }

    internal FrontDirection Front { get; init; }

    internal bool FrontDetected { get; init; }

    /// <summary>0-1; 1 when the request gave both view and face direction.</summary>
    internal double Confidence { get; init; }

    internal double FaceFractionOfFrame { get; init; }

    internal IReadOnlyList<PipelineWarning> Warnings { get; init; } = [];

    /// <summary>Working-size 8UC1 mask (255 = face: forehead, brows, eyes, nose, ears), or null when no face was found.</summary>
    internal Mat? TakeFaceMask()
    {
        var m = _faceMask;
        _faceMask = null;
        return m;
    }
}

/// <summary>
/// Resolves the view and the face direction of an overhead photo: what the request gives wins;
/// otherwise they are detected from the face (<see cref="FaceFinder"/>), and a warning says so
/// when the evidence is weak.
/// </summary>
internal static class HeadOrientation
{
    /// <summary>Below this confidence the caller is told to set the orientation.</summary>
    internal const double UnsureBelow = 0.6;

    internal static OrientationResult Resolve(Mat workingBgr, Mat headMask, Mat labels, OverheadOptions options, OverheadRequest request, CancellationToken ct)
    {
        var face = FaceFinder.Find(workingBgr, headMask, labels, options, request.Front, ct);
        var view = request.View ?? face.View ?? options.View;
        var front = request.Front ?? face.Front ?? options.Front;
        bool viewGiven = request.View is not null, frontGiven = request.Front is not null;
        double confidence = viewGiven && frontGiven ? 1.0 : face.Confidence;
        var warnings = new List<PipelineWarning>();
        if (!frontGiven && face.Front is null && view == OverheadView.TopDown)
        {
            warnings.Add(new PipelineWarning("front-assumed", $"No face found to orient the head: zones and hairline assume the forehead points {front} in the image. Set options.overhead.face_edge."));
        }
        else if (!(viewGiven && frontGiven) && confidence < UnsureBelow)
        {
            warnings.Add(new PipelineWarning("orientation-unsure", $"View {view} with the face toward {front} was detected with confidence {confidence:F2}: check the zone names, or set options.overhead.view and face_edge."));
        }

        if (face.FaceFractionOfFrame > 0)
        {
            warnings.Add(new PipelineWarning("face-excluded", $"Face skin ({face.FaceFractionOfFrame:P0} of the frame: {face.Evidence}) was taken out of the scalp and gets no dots."));
        }

        return new OrientationResult(face.TakeMask())
        {
            View = view,
            ViewDetected = !viewGiven,
            Front = front,
            FrontDetected = !frontGiven && face.Front is not null,
            Confidence = confidence,
            FaceFractionOfFrame = face.FaceFractionOfFrame,
            Warnings = warnings,
        };
    }
}
