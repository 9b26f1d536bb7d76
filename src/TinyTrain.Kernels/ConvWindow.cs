using System.Runtime.CompilerServices;

namespace TinyTrain.Kernels;

/// <summary>
/// The sliding window of a convolution (<see cref="IWindowParams"/>), read once per kernel call. <see cref="Taps"/>
/// walks the filter taps of one output pixel whose input pixel lies inside the image, in (filterY, filterX) order, the
/// order every kernel's sums take; a tap outside the image is skipped, which is padding with the input zero point.
/// </summary>
internal readonly struct ConvWindow(IWindowParams p)
{
    private readonly int inputH = p.InputH, inputW = p.InputW, kernelH = p.KernelH, kernelW = p.KernelW;
    private readonly int strideH = p.StrideH, strideW = p.StrideW, dilationH = p.DilationH, dilationW = p.DilationW;
    private readonly int padTop = p.PadTop, padLeft = p.PadLeft;

    /// <summary>Taps per window: KernelH * KernelW.</summary>
    public int Size => kernelH * kernelW;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TapEnumerator Taps(int outY, int outX) => new(this, outY * strideH - padTop, outX * strideW - padLeft);

    /// <summary>One in-image tap: its number ky * KernelW + kx, and the input pixel iy * InputW + ix it reads.</summary>
    public readonly record struct Tap(int Index, int Pixel);

    /// <summary>The taps of one window: the filter rows and columns that land inside the image, worked out once.</summary>
    public ref struct TapEnumerator
    {
        private readonly int kernelW, inputW, dilationH, dilationW, inYOrigin, inXOrigin, yEnd, xStart, xEnd;
        private int filterY, filterX, rowIndex, rowPixel;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal TapEnumerator(ConvWindow window, int inYOrigin, int inXOrigin)
        {
            (kernelW, inputW, dilationH, dilationW) = (window.kernelW, window.inputW, window.dilationH, window.dilationW);
            (this.inYOrigin, this.inXOrigin) = (inYOrigin, inXOrigin);
            (int yStart, yEnd) = Inside(inYOrigin, window.dilationH, window.kernelH, window.inputH);
            (xStart, xEnd) = Inside(inXOrigin, window.dilationW, window.kernelW, window.inputW);
            filterY = yStart - 1;
            filterX = xEnd;
        }

        public Tap Current { get; private set; }

        public readonly TapEnumerator GetEnumerator() => this;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MoveNext()
        {
            if (++filterX >= xEnd)
            {
                if (++filterY >= yEnd || xStart >= xEnd)
                {
                    return false;
                }

                filterX = xStart;
                rowIndex = filterY * kernelW;
                rowPixel = (inYOrigin + dilationH * filterY) * inputW + inXOrigin;
            }

            Current = new Tap(rowIndex + filterX, rowPixel + dilationW * filterX);
            return true;
        }

        // The filter positions [start, end) whose input origin + dilation * position lies in [0, extent).
        private static (int Start, int End) Inside(int origin, int dilation, int kernel, int extent)
        {
            int start = origin < 0 ? (-origin + dilation - 1) / dilation : 0;
            int end = origin >= extent ? 0 : Math.Min(kernel, (extent - 1 - origin) / dilation + 1);
            return (start, end);
        }
    }
}
