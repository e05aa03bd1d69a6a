namespace Forge.Core.Numerics;

/// <summary>
/// numpy.argsort with its default kind='quicksort' as NumPy 1.24 implements it (npysort/quicksort.cpp aquicksort: introsort
/// with median-of-3 partitioning, insertion sort below 16 elements, heapsort past 2·log2(n) levels; NumPy is BSD-licensed).
/// The sort is not stable: equal values come out in the order this exact algorithm leaves them, which decides, for
/// example, which batch an image with a tied aspect ratio joins in Ultralytics' rectangular validation. Float32 inputs
/// give the same order when passed as doubles (the conversion keeps order and ties). NaN sorts last, as in numpy.
/// </summary>
public static class NumpyArgsort
{
    const int SmallQuicksort = 15;
    const int StackSize = 128;

    public static int[] Argsort(ReadOnlySpan<double> v)
    {
        var idx = new int[v.Length];
        for (int i = 0; i < idx.Length; i++) idx[i] = i;
        if (v.Length > 1) Sort(v, idx);
        return idx;
    }

    static bool Less(double a, double b) => a < b || (double.IsNaN(b) && !double.IsNaN(a));

    static void Sort(ReadOnlySpan<double> v, int[] tosort)
    {
        int pl = 0, pr = tosort.Length - 1;
        Span<int> stack = stackalloc int[StackSize];
        Span<int> depth = stackalloc int[StackSize];
        int sp = 0, dp = 0;
        int cdepth = MostSignificantBit(tosort.Length) * 2;
        while (true)
        {
            if (cdepth < 0)
            {
                HeapSort(v, tosort, pl, pr - pl + 1);
            }
            else
            {
                while (pr - pl > SmallQuicksort)
                {
                    int pm = pl + ((pr - pl) >> 1);
                    if (Less(v[tosort[pm]], v[tosort[pl]])) Swap(tosort, pm, pl);
                    if (Less(v[tosort[pr]], v[tosort[pm]])) Swap(tosort, pr, pm);
                    if (Less(v[tosort[pm]], v[tosort[pl]])) Swap(tosort, pm, pl);
                    double vp = v[tosort[pm]];
                    int pi = pl, pj = pr - 1;
                    Swap(tosort, pm, pj);
                    while (true)
                    {
                        do ++pi; while (Less(v[tosort[pi]], vp));
                        do --pj; while (Less(vp, v[tosort[pj]]));
                        if (pi >= pj) break;
                        Swap(tosort, pi, pj);
                    }
                    Swap(tosort, pi, pr - 1);
                    // Push the larger partition, continue with the smaller one.
                    if (pi - pl < pr - pi)
                    {
                        stack[sp++] = pi + 1;
                        stack[sp++] = pr;
                        pr = pi - 1;
                    }
                    else
                    {
                        stack[sp++] = pl;
                        stack[sp++] = pi - 1;
                        pl = pi + 1;
                    }
                    depth[dp++] = --cdepth;
                }
                for (int pi = pl + 1; pi <= pr; ++pi)
                {
                    int vi = tosort[pi];
                    double vv = v[vi];
                    int pj = pi, pk = pi - 1;
                    while (pj > pl && Less(vv, v[tosort[pk]])) tosort[pj--] = tosort[pk--];
                    tosort[pj] = vi;
                }
            }
            if (sp == 0) break;
            pr = stack[--sp];
            pl = stack[--sp];
            cdepth = depth[--dp];
        }
    }

    /// <summary>numpy's aheapsort over tosort[offset .. offset + n).</summary>
    static void HeapSort(ReadOnlySpan<double> v, int[] tosort, int offset, int n)
    {
        // One-based heap indexing: a[k] is tosort[offset + k - 1].
        int A(int k) => tosort[offset + k - 1];
        void Set(int k, int value) => tosort[offset + k - 1] = value;
        int i, j, tmp;
        for (int l = n >> 1; l > 0; --l)
        {
            tmp = A(l);
            for (i = l, j = l << 1; j <= n;)
            {
                if (j < n && Less(v[A(j)], v[A(j + 1)])) j += 1;
                if (Less(v[tmp], v[A(j)])) { Set(i, A(j)); i = j; j += j; }
                else break;
            }
            Set(i, tmp);
        }
        for (; n > 1;)
        {
            tmp = A(n);
            Set(n, A(1));
            n -= 1;
            for (i = 1, j = 2; j <= n;)
            {
                if (j < n && Less(v[A(j)], v[A(j + 1)])) j++;
                if (Less(v[tmp], v[A(j)])) { Set(i, A(j)); i = j; j += j; }
                else break;
            }
            Set(i, tmp);
        }
    }

    static int MostSignificantBit(int n)
    {
        int depth = 0;
        uint u = (uint)n;
        while ((u >>= 1) != 0) depth++;
        return depth;
    }

    static void Swap(int[] a, int i, int j) => (a[i], a[j]) = (a[j], a[i]);
}
