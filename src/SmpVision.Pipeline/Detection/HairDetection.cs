using OpenCvSharp;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Detection;

/// <summary>
/// What a hair detector hands every measurement (the one seam: frame in, detections out): hairs
/// and follicular units in full-resolution pixels, the full-resolution shaft mask, and the
/// working-scale frame with its masks that colour and quality read. Owns its Mats: dispose it.
/// </summary>
internal sealed class HairDetection : IDisposable
{
    public HairDetection(HairSegmentation working, Mat hairMask, HairExtraction extraction, string detector)
    {
        Working = working;
        HairMask = hairMask;
        Extraction = extraction;
        Detector = detector;
    }

    /// <summary>Working-scale frame, shaft mask, grey, relative darkness and analysable mask.</summary>
    public HairSegmentation Working { get; }

    /// <summary>8UC1 full resolution, 255 = shaft pixel inside the analysable area.</summary>
    public Mat HairMask { get; }

    /// <summary>Hairs (every visible one; <see cref="HairInstance.CountedInDensity"/> marks the edge-rule count) and units.</summary>
    public HairExtraction Extraction { get; }

    /// <summary>Which detector ran: the learned model's identifier (name@sha256), or "classical-opencv-1".</summary>
    public string Detector { get; }

    /// <summary>True when the learned model produced these detections.</summary>
    public bool Learned { get; init; }

    /// <inheritdoc />
    public void Dispose()
    {
        Working.Dispose();
        HairMask.Dispose();
    }
}
