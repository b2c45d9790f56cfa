using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// Width test on the chroma path's shaft mask (session 13, tri20). The chroma path reads relative
/// desaturation against the most saturated skin nearby; besides grey and white shafts it sees broad
/// blue-grey skin patches (pigment, bruising, pooled dye too dilute for the dye test), which are
/// long and fill their rectangle, so they pass the straight-long shape test and count as shaft
/// evidence. On frames of blond hair (saturated, so invisible to the chroma path) the patches then
/// outweigh the faint dark evidence of the blond rims and the frame reads Colour with no shaft found
/// (mixed 3170: 4 regions, mean width 225 um, 0 of 42 hairs matched). A terminal shaft is 60-100 um
/// wide (DOMAIN.md); a region wider somewhere than two such shafts side by side is a patch, not a shaft.
/// </summary>
internal static class BlondChromaBlobs
{
    /// <summary>
    /// Clears, in place, every 8-connected region of <paramref name="mask"/> (8UC1, 255 = shaft) whose
    /// largest inscribed half-width (maximum of the L2 distance transform inside it) exceeds
    /// <paramref name="maxHalfWidthPixels"/>. Returns the number of regions cleared.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe int DropWide(Mat mask, double maxHalfWidthPixels)
    {
        ArgumentNullException.ThrowIfNull(mask);
        using var dist = new Mat();
        Cv2.DistanceTransform(mask, dist, DistanceTypes.L2, DistanceTransformMasks.Mask5);
        using var labels = new Mat();
        int n = Cv2.ConnectedComponents(mask, labels, PixelConnectivity.Connectivity8, MatType.CV_32S);
        if (n <= 1)
        {
            return 0;
        }

        var maxHalf = new float[n];
        int rows = mask.Rows, cols = mask.Cols;
        for (int y = 0; y < rows; y++)
        {
            int* pl = MatPixels.RowInt(labels, y);
            float* pd = (float*)dist.Ptr(y);
            for (int x = 0; x < cols; x++)
            {
                int l = pl[x];
                if (l > 0)
                {
                    float d = pd[x];

                    if (d > maxHalf[l])
                    {
                        maxHalf[l] = d;
                    }
                }
            }
        }

        var drop = new bool[n];
        int dropped = 0;
        for (int l = 1; l < n; l++)
        {
            if (maxHalf[l] > maxHalfWidthPixels)
            {
                drop[l] = true;
                dropped++;
            }
        }

        if (dropped > 0)
        {
            MatPixels.ClearLabels(mask, labels, drop);
        }

        return dropped;
    }
}
