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

    public TapEnumerator Taps(int outY, int outX) => new(this, outY * strideH - padTop, outX * strideW - padLeft);

    /// <summary>One in-image tap: its number ky * KernelW + kx, and the input pixel iy * InputW + ix it reads.</summary>
    public readonly record struct Tap(int Index, int Pixel);

    public ref struct TapEnumerator
    {
        private readonly ConvWindow window;
        private readonly int inYOrigin, inXOrigin;
        private int filterY, filterX, inY;

        internal TapEnumerator(ConvWindow window, int inYOrigin, int inXOrigin)
        {
            this.window = window;
            this.inYOrigin = inYOrigin;
            this.inXOrigin = inXOrigin;
            filterY = -1;
            filterX = window.kernelW;
        }

        public Tap Current { get; private set; }

        public readonly TapEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (++filterX < window.kernelW || NextRow())
            {
                int inX = inXOrigin + window.dilationW * filterX;
                if (inX >= 0 && inX < window.inputW)
                {
                    Current = new Tap(filterY * window.kernelW + filterX, inY * window.inputW + inX);
                    return true;
                }
            }

            return false;
        }

        // The next filter row inside the image, from its first column.
        private bool NextRow()
        {
            while (++filterY < window.kernelH)
            {
                inY = inYOrigin + window.dilationH * filterY;
                if (inY >= 0 && inY < window.inputH)
                {
                    filterX = 0;
                    return true;
                }
            }

            filterY = window.kernelH;
            return false;
        }
    }
}
