using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>Raw row access for hot loops over 8-bit Mats (indexers are too slow per pixel).</summary>
internal static unsafe class MatPixels
{
    /// <summary>Pointer to the first byte of row <paramref name="y"/>.</summary>
    public static byte* Row(Mat mat, int y) => (byte*)mat.Ptr(y).ToPointer();

    /// <summary>Pointer to the first int of row <paramref name="y"/> of a 32S Mat (component labels).</summary>
    public static int* RowInt(Mat mat, int y) => (int*)mat.Ptr(y).ToPointer();
}
