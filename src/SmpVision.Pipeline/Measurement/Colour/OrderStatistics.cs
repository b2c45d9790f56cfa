using System.Runtime.CompilerServices;

namespace SmpVision.Pipeline.Measurement.Colour;

/// <summary>
/// Exact order statistics by selection (expected linear time) instead of a full sort: the k-th
/// smallest value is the same number a sort would put at index k, at a fraction of the cost.
/// </summary>
internal static class OrderStatistics
{
    /// <summary>The k-th smallest (0-based) of the values; reorders them so that the first k are
    /// no larger than it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static T Select<T>(Span<T> values, int k)
        where T : IComparable<T>
    {
        var n = values.Length;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, n);
        var lo = 0;
        var hi = n - 1;
        while (hi > lo)
        {
            // Median of three as pivot keeps sorted or constant runs from going quadratic.
            var mid = lo + ((hi - lo) / 2);
            if (values[mid].CompareTo(values[lo]) < 0) Swap(values, mid, lo);
            if (values[hi].CompareTo(values[lo]) < 0) Swap(values, hi, lo);
            if (values[hi].CompareTo(values[mid]) < 0) Swap(values, hi, mid);
            var pivot = values[mid];
            var i = lo;
            var j = hi;
            while (i <= j)
            {
                while (values[i].CompareTo(pivot) < 0) i++;
                while (pivot.CompareTo(values[j]) < 0) j--;
                if (i <= j)
                {
                    Swap(values, i, j);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return values[k];
            }
        }

        return values[k];
    }

    /// <summary>Largest of the values (not empty).</summary>
    internal static T Max<T>(ReadOnlySpan<T> values)
        where T : IComparable<T>
    {
        var best = values[0];
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i].CompareTo(best) > 0) best = values[i];
        }

        return best;
    }

    private static void Swap<T>(Span<T> v, int a, int b) => (v[a], v[b]) = (v[b], v[a]);
}
