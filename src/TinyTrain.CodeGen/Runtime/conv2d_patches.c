/* Conv2D's path for kernels larger than 1x1 (and ConvDepthwise's, into channel planes): the window of each output pixel
 * is gathered once into a patch on the stack, in the filter's (ky, kx, ic) order, with the zero point where it reaches
 * into the padding, so that every output channel is one dot product with its filter row. With the zero point in the
 * padding, sum w * (x - zp) = sum w * x - zp * sum w over the whole window: the fold goes into the bias. With the DSP
 * extension the filter rows are spread by SXTB16 once per block of channels, each kernel row padded with zero taps to
 * whole words; a window inside the input is then read where it lies, a kernel row at a time, and only windows that
 * reach into the padding are gathered (into rows of the same padded pitch). Same bytes as the C# reference kernel. */
#include <string.h>

#include "tinytrain_internal.h"

/* sum w0 . x and sum w1 . x over n bytes, two output channels sharing each word of the patch. */
TT_INLINE void dot2_raw(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t n, int32_t *s0, int32_t *s1)
{
    int32_t a0 = 0, a1 = 0, i = 0;
#ifdef TT_DSP
    for (; i + 4 <= n; i += 4) {
        uint32_t xs = tt_load32(x + i), v = tt_load32(w0 + i), u = tt_load32(w1 + i);
        int16x2_t even = __sxtb16((int8x4_t)xs), odd = tt_sxtb16_odd(xs);
        a0 = __smlad(__sxtb16((int8x4_t)v), even, a0);
        a0 = __smlad(tt_sxtb16_odd(v), odd, a0);
        a1 = __smlad(__sxtb16((int8x4_t)u), even, a1);
        a1 = __smlad(tt_sxtb16_odd(u), odd, a1);
    }
#endif
    for (; i < n; i++) {
        a0 += (int32_t)w0[i] * x[i];
        a1 += (int32_t)w1[i] * x[i];
    }
    *s0 = a0;
    *s1 = a1;
}

#ifdef TT_DSP
/* The sums of four output channels over a window of `rows` rows of `words` words (rows `step` bytes apart), added to s;
 * each word of the window spread by SXTB16 once for all four (tt_dot4). */
TT_INLINE void dot4(const int8_t *x, int32_t step, const int32_t *lanes, int32_t rows, int32_t words, int32_t *s)
{
    int32_t r;
    for (r = 0; r < rows; r++, x += step, lanes += 8 * words) {
        tt_dot4(x, lanes, words, s);
    }
}

/* The filters of channels [channel, channel + count) spread for dot4, four channels (zero filters past count) a group:
 * `rows` kernel rows of `row` bytes each, padded with zero taps to whole words. */
static void spread(const int8_t *filter, int32_t rows, int32_t row, int32_t channel, int32_t count, int32_t *lanes)
{
    const int32_t words = (row + 3) / 4, n = rows * row;
    int32_t group, r, word, k;
    for (group = 0; group < count; group += 4) {
        for (r = 0; r < rows; r++) {
            for (word = 0; word < words; word++) {
                for (k = 0; k < 4; k++, lanes += 2) {
                    int8_t b[4] = {0, 0, 0, 0};
                    uint32_t v;
                    if (group + k < count) {
                        const int32_t take = row - word * 4 < 4 ? row - word * 4 : 4;
                        memcpy(b, filter + (channel + group + k) * n + r * row + word * 4, (size_t)take);
                    }
                    memcpy(&v, b, 4);
                    lanes[0] = __sxtb16((int8x4_t)v);
                    lanes[1] = tt_sxtb16_odd(v);
                }
            }
        }
    }
}
#endif

/* n bytes, a word at a time where the target allows unaligned words (the patch's rows are short: a call costs more).
 * With whole set, the last word is copied whole too: up to 3 bytes past n are read (the caller has checked they exist)
 * and written (the patch has room for them, and the next run or the zero taps past the window make them harmless). */
TT_INLINE void copy(int8_t *to, const int8_t *from, int32_t n, int whole)
{
#ifdef TT_DSP
    if (whole) {
        n = (n + 3) & ~3;
    }
    for (; n >= 4; n -= 4, to += 4, from += 4) {
        uint32_t v = tt_load32(from);
        memcpy(to, &v, 4);
    }
#else
    (void)whole;
#endif
    for (; n > 0; n--) {
        *to++ = *from++;
    }
}

/* The window of output (out_y, out_x) in (ky, kx, ic) order, the zero point outside the input, its rows `pitch` bytes
 * apart in the patch (at least a row; what lies between is left as it is); end is the input's end. */
static void gather(const tt_conv2d_params *p, const int8_t *input, const int8_t *end, int32_t out_y, int32_t out_x,
                   int8_t *patch, int32_t pitch)
{
    const int32_t input_c = p->input_c, kernel_w = p->kernel_w, row = kernel_w * input_c, dilation_w = p->dilation_w;
    const int32_t in_y_origin = out_y * p->stride_h - p->pad_top, in_x_origin = out_x * p->stride_w - p->pad_left;
    const int8_t zero = (int8_t)p->input_zero_point;
    /* A window row is one run of the input when it has no gaps and does not reach past either side. */
    const int contiguous = dilation_w == 1 && in_x_origin >= 0 && in_x_origin + kernel_w <= p->input_w;
    const int32_t last_y = in_y_origin + p->dilation_h * (p->kernel_h - 1);
    int32_t filter_y, filter_x;
    if (contiguous && in_y_origin >= 0 && last_y < p->input_h) {
        /* Inside the input: kernel_h runs of row bytes, dilation_h input rows apart. */
        const int32_t step = p->dilation_h * p->input_w * input_c;
        const int8_t *from = input + (in_y_origin * p->input_w + in_x_origin) * input_c;
        const int whole = end - (from + (p->kernel_h - 1) * step) >= row + 3;
        for (filter_y = 0; filter_y < p->kernel_h; filter_y++, patch += pitch, from += step) {
            copy(patch, from, row, whole);
        }
        return;
    }
    for (filter_y = 0; filter_y < p->kernel_h; filter_y++, patch += pitch) {
        int32_t in_y = in_y_origin + p->dilation_h * filter_y;
        const int8_t *line = input + in_y * p->input_w * input_c;
        if (in_y < 0 || in_y >= p->input_h) {
            memset(patch, zero, (size_t)row);
        } else if (contiguous) {
            const int8_t *from = line + in_x_origin * input_c;
            copy(patch, from, row, end - from >= row + 3);
        } else {
            for (filter_x = 0; filter_x < kernel_w; filter_x++) {
                int32_t in_x = in_x_origin + dilation_w * filter_x;
                if (in_x < 0 || in_x >= p->input_w) {
                    memset(patch + filter_x * input_c, zero, (size_t)input_c);
                } else {
                    const int8_t *from = line + in_x * input_c;
                    copy(patch + filter_x * input_c, from, input_c, end - from >= input_c + 3);
                }
            }
        }
    }
}

#ifdef TT_DSP
/* Every output pixel of channels [first, first + count) against their spread filters (tt_conv2d_patches): a window inside
 * the input (and whose last run's last word is too) is read where it lies when the runs are the kernel's rows (direct),
 * any other is gathered into the patch, its runs pitch bytes apart. output points at channel first's outputs. */
static void outputs_spread(const tt_conv2d_params *p, const int8_t *input, const int32_t *lanes, int32_t runs,
                           int32_t words, int direct, int32_t pitch, int8_t *patch, const int32_t *bias,
                           const tt_channel_requant *requant, const int *fast, const int64_t *fold, int plain, int32_t first,
                           int32_t count, int8_t *output, int32_t pixel_step, int32_t channel_step, uint8_t *mask)
{
    const int32_t input_w = p->input_w, input_c = p->input_c, output_w = p->output_w, output_c = p->output_c;
    const int32_t step = p->dilation_h * input_w * input_c, pixel_bytes = p->stride_w * input_c;
    const int32_t last_run = (p->kernel_h - 1) * step, length = p->input_h * input_w * input_c;
    const int8_t *end = input + length;
    int32_t out_y, out_x, k, j;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        const int32_t in_y = out_y * p->stride_h - p->pad_top;
        const int rows_inside = direct && p->dilation_w == 1 && in_y >= 0 && in_y + p->dilation_h * (p->kernel_h - 1) < p->input_h;
        int32_t in_x = -p->pad_left, offset = (in_y * input_w + in_x) * input_c;
        for (out_x = 0; out_x < output_w; out_x++, in_x += p->stride_w, offset += pixel_bytes) {
            const int32_t pixel = out_y * output_w + out_x;
            int8_t *out = output + pixel * pixel_step;
            const int8_t *x = patch;
            int32_t x_step = pitch;
            if (rows_inside && in_x >= 0 && in_x + p->kernel_w <= input_w && length - (offset + last_run) >= pitch) {
                x = input + offset;
                x_step = step;
            } else {
                gather(p, input, end, out_y, out_x, patch, pitch);
            }
            for (k = 0; k < count; k += 4) {
                const int32_t *taps = lanes + k * runs * words * 2;
                int32_t s[4] = {0, 0, 0, 0};
                if (plain && k + 4 <= count) {
                    s[0] = requant[k].bias, s[1] = requant[k + 1].bias, s[2] = requant[k + 2].bias;
                    s[3] = requant[k + 3].bias;
                    dot4(x, x_step, taps, runs, words, s);
                    out[k * channel_step] = tt_channel_requantize_biased(&requant[k], s[0]);
                    out[(k + 1) * channel_step] = tt_channel_requantize_biased(&requant[k + 1], s[1]);
                    out[(k + 2) * channel_step] = tt_channel_requantize_biased(&requant[k + 2], s[2]);
                    out[(k + 3) * channel_step] = tt_channel_requantize_biased(&requant[k + 3], s[3]);
                    continue;
                }
                dot4(x, x_step, taps, runs, words, s);
                for (j = 0; j < 4 && k + j < count; j++) {
                    tt_conv2d_put(p, bias, &requant[k + j], fast[k + j], fold[k + j], first + k + j, s[j],
                                  out + (k + j) * channel_step, mask, pixel * output_c + first + k + j);
                }
            }
        }
    }
}
#endif

#ifdef TT_DSP
/* Three words from `from` to `to` (unaligned loads and stores), as one expression. */
#define COPY_WORDS3(to, from)                                                                                          \
    (store32((to), tt_load32(from)), store32((to) + 4, tt_load32((from) + 4)), store32((to) + 8, tt_load32((from) + 8)))

TT_INLINE void store32(int8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* Every output pixel of four channels on the fast requantisation, no mask, their window gathered as one run of `words`
 * words (the filters spread that way): one tt_dot4 a pixel, the sums from the biases, the constants in locals. A window
 * inside the input (dilation_w 1) is copied here a word at a time, its rows `row` bytes apart (each row's last word runs
 * into the next row's place, which the next row then fills, or past the window, where the taps are zero); the others go
 * through gather. */
static void run4_plain(const tt_conv2d_params *p, const int8_t *input, const int32_t *lanes, int32_t words, int8_t *patch,
                       const tt_channel_requant *r, int8_t *output, int32_t pixel_step, int32_t channel_step)
{
    const tt_channel_requant r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3];
    const int8_t *end = input + p->input_h * p->input_w * p->input_c;
    const int32_t input_w = p->input_w, input_c = p->input_c, kernel_h = p->kernel_h, kernel_w = p->kernel_w;
    const int32_t row = kernel_w * input_c, row_words = (row + 3) / 4, output_w = p->output_w;
    const int32_t step = p->dilation_h * input_w * input_c, span = p->dilation_h * (kernel_h - 1);
    int32_t out_y, out_x, k, w;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        const int32_t in_y = out_y * p->stride_h - p->pad_top;
        const int rows_inside = p->dilation_w == 1 && in_y >= 0 && in_y + span < p->input_h;
        for (out_x = 0; out_x < output_w; out_x++, output += pixel_step) {
            const int32_t in_x = out_x * p->stride_w - p->pad_left;
            const int8_t *from = input + (in_y * input_w + in_x) * input_c;
            if (rows_inside && in_x >= 0 && in_x + kernel_w <= input_w && end - (from + span * input_w * input_c) >= 4 * row_words) {
                int8_t *to = patch;
                k = 0;
                if (kernel_h == 3 && row_words == 3) {
                    /* A first layer's 3x3 window over three channels: nine words, unrolled. */
                    COPY_WORDS3(to, from), COPY_WORDS3(to + row, from + step), COPY_WORDS3(to + 2 * row, from + 2 * step);
                    k = kernel_h;
                }
                for (; k < kernel_h; k++, from += step, to += row) {
                    for (w = 0; w < row_words; w++) {
                        uint32_t v = tt_load32(from + 4 * w);
                        __asm__("" : "+r"(v)); /* or GCC makes the loop a call to memcpy, dearer for a few words */
                        memcpy(to + 4 * w, &v, 4);
                    }
                }
            } else {
                gather(p, input, end, out_y, out_x, patch, row);
            }
            tt_dot4_requantize(patch, lanes, words, &r0, &r1, &r2, &r3, output, channel_step);
        }
    }
}
#undef COPY_WORDS3
#endif

/* Output channels are taken up to this many at a time: their requantisations are set up once, and each patch is gathered
 * once per block. With the DSP extension their filters are spread for dot4 into SPREAD_MAX words on the stack: fewer
 * channels a block for longer windows, none (dot2_raw over a plain patch) past 32 words. */
#define BLOCK 16
#define SPREAD_MAX 256

int tt_conv2d_patches(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                      int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step, int32_t channel_step,
                      uint8_t *mask)
{
    const int32_t kernel_h = p->kernel_h, row = p->kernel_w * p->input_c, n = kernel_h * row, output_w = p->output_w;
    const int32_t output_c = p->output_c, pixels = p->output_h * output_w;
    const int64_t max_abs_sum = (int64_t)n * 128 * 128, zero = p->input_zero_point;
    const int8_t *end = input + p->input_h * p->input_w * p->input_c;
    int8_t patch[TT_CONV_PATCH_MAX + 32];
    tt_channel_requant requant[BLOCK];
    int64_t fold[BLOCK];
    int fast[BLOCK];
    int32_t block_size = BLOCK, pitch = row, block, pixel, k, i;
#ifdef TT_DSP
    /* Kernel rows padded to whole words, so that a window inside the input is read where it lies, when no byte is wasted
     * that way or the block is a single group of four (the patch would be gathered for it alone); otherwise the window as
     * one run of n bytes, gathered once for the block. `words` words a run, `pitch` bytes from a gathered row to the next. */
    const int direct = row % 4 == 0 || (channels <= 4 && !(channels == 4 && mask == NULL));
    const int32_t runs = direct ? kernel_h : 1, run = direct ? row : n, words = (run + 3) / 4;
    const int32_t groups = SPREAD_MAX / (runs * words * 8);
    const int spreads = groups > 0 && runs * words * 4 <= (int32_t)sizeof patch;
    int32_t lanes[SPREAD_MAX];
    int plain;
    block_size = groups >= 4 ? BLOCK : spreads ? groups * 4 : BLOCK;
    pitch = spreads && direct ? words * 4 : row;
#endif
    if (n > TT_CONV_PATCH_MAX) {
        return 0;
    }

    memset(patch, 0, sizeof patch); /* the bytes between a row and the next pitch meet zero taps */
    for (block = 0; block < channels; block += block_size) {
        const int32_t count = channels - block < block_size ? channels - block : block_size;
        for (k = 0; k < count; k++) {
            const int32_t channel = first_channel + block + k;
            const int8_t *w = filter + channel * n;
            int32_t weights = 0;
            for (i = 0; i < n; i++) {
                weights += w[i];
            }
            fold[k] = -zero * weights;
            fast[k] = tt_channel_requant_init(&requant[k], &p->requant, bias, fold[k], p->output_zero_point, p->act_min,
                                              p->act_max, channel, max_abs_sum);
        }
#ifdef TT_DSP
        /* No mask and every channel on the fast requantisation: the outputs need no other path. */
        plain = mask == NULL;
        for (k = 0; k < count; k++) {
            plain = plain && fast[k];
        }
        if (spreads) {
            spread(filter, runs, run, first_channel + block, count, lanes);
        }
#endif

#ifdef TT_DSP
        if (spreads && !direct && count == 4 && plain) {
            run4_plain(p, input, lanes, words, patch, requant, output + block * channel_step, pixel_step, channel_step);
            continue;
        }
        if (spreads) {
            outputs_spread(p, input, lanes, runs, words, direct, pitch, patch, bias, requant, fast, fold, plain,
                           first_channel + block, count, output + block * channel_step, pixel_step, channel_step, mask);
            continue;
        }
#endif
        for (pixel = 0; pixel < pixels; pixel++) {
            const int32_t out_y = pixel / output_w, out_x = pixel - out_y * output_w;
            int8_t *out = output + pixel * pixel_step + block * channel_step;
            gather(p, input, end, out_y, out_x, patch, pitch);
            for (k = 0; k < count; k += 2) {
                /* An odd last channel is computed twice and stored twice, to the same place. */
                const int32_t second = k + 1 < count ? k + 1 : k, c0 = first_channel + block + k;
                int32_t s0, s1;
                dot2_raw(patch, filter + c0 * n, filter + (c0 + second - k) * n, n, &s0, &s1);
                tt_conv2d_put(p, bias, &requant[k], fast[k], fold[k], c0, s0, out + k * channel_step, mask,
                              pixel * output_c + c0);
                tt_conv2d_put(p, bias, &requant[second], fast[second], fold[second], c0 + second - k, s1,
                              out + second * channel_step, mask, pixel * output_c + c0 + second - k);
            }
        }
    }
    return 1;
}
