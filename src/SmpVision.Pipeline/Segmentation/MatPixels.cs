using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>Raw row access for hot loops over 8-bit Mats (indexers are too slow per pixel).</summary>
internal static unsafe class MatPixels
{
    /// <summary>Pointer to the first byte of row <paramref name="y"/>.</summary>
    public static byte* Row(Mat mat, int y) => (byte*)mat.Ptr(y).ToPointer();

    /// <summary>Pointer to the first int of row <paramref name="y"/> of a 32S Mat (component labels).</summary>
    public static int* RowInt(Mat mat, int y) => (int*)mat.Ptr(y).ToPointer();

    /// <summary>Sets to 0 every pixel of the 8UC1 <paramref name="mask"/> whose component label in the 32S <paramref name="labels"/> is marked in <paramref name="drop"/>.</summary>
    public static void ClearLabels(Mat mask, Mat labels, bool[] drop)
    {
        int rows = mask.Rows, cols = mask.Cols;
        for (int y = 0; y < rows; y++)
        {
            int* pl = RowInt(labels, y);
            byte* pm = Row(mask, y);
            for (int x = 0; x < cols; x++)
            {
                if (drop[pl[x]])
                {
                    pm[x] = 0;
                }
            }
        }
    }
}
