using System.Runtime.CompilerServices;

namespace TinyTrain.Kernels;

/// <summary>
/// The in-image part of pool window (outY, outX) of <see cref="PoolParams"/>, which both pools read: filter rows and
/// columns that land inside the image (padding is neither read nor counted). <see cref="Inputs"/> walks one channel's
/// input indices in scan order (filter row, then column).
/// </summary>
internal readonly struct PoolWindow
{
    private readonly int origin, yStart, yEnd, xStart, xEnd, inputW, channels;

    private PoolWindow(int origin, int yStart, int yEnd, int xStart, int xEnd, int inputW, int channels) =>
        (this.origin, this.yStart, this.yEnd, this.xStart, this.xEnd, this.inputW, this.channels) = (origin, yStart, yEnd, xStart, xEnd, inputW, channels);

    /// <summary>In-image positions (&gt; 0).</summary>
    public int Count => (yEnd - yStart) * (xEnd - xStart);

    /// <summary>Window (outY, outX); throws when it covers no input position.</summary>
    public static PoolWindow At(PoolParams p, int outY, int outX)
    {
        int inYOrigin = outY * p.StrideH - p.PadTop;
        int inXOrigin = outX * p.StrideW - p.PadLeft;
        int yStart = Math.Max(0, -inYOrigin), yEnd = Math.Min(p.FilterH, p.InputH - inYOrigin);
        int xStart = Math.Max(0, -inXOrigin), xEnd = Math.Min(p.FilterW, p.InputW - inXOrigin);
        if (yEnd <= yStart || xEnd <= xStart)
        {
            throw new ArgumentException($"pool window at ({outY}, {outX}) covers no input position");
        }

        return new PoolWindow((inYOrigin * p.InputW + inXOrigin) * p.Channels, yStart, yEnd, xStart, xEnd, p.InputW, p.Channels);
    }

    /// <summary>The input indices of the window's positions in <paramref name="channel"/>.</summary>
    public Enumerator Inputs(int channel) => new(this, channel);

    public ref struct Enumerator
    {
        private readonly PoolWindow window;
        private readonly int channel;
        private int filterY, filterX, row;

        internal Enumerator(PoolWindow window, int channel)
        {
            this.window = window;
            this.channel = channel;
            filterY = window.yStart - 1;
            filterX = window.xEnd;
        }

        public int Current { get; private set; }

        public readonly Enumerator GetEnumerator() => this;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MoveNext()
        {
            if (++filterX >= window.xEnd)
            {
                if (++filterY >= window.yEnd)
                {
                    return false;
                }

                filterX = window.xStart;
                row = window.origin + filterY * window.inputW * window.channels + channel;
            }

            Current = row + filterX * window.channels;
            return true;
        }
    }
}
