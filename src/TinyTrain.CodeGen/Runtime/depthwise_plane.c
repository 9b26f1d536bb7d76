/* DepthwiseConv2D over one channel's plane (rows of plane_w bytes): the outputs whose windows lie inside the plane.
 * Inside it no tap is padding, so sum w * (x - zp) = sum w * x - zp * sum w: the zero point goes into the bias and the
 * taps are a plain dot product. With the DSP extension a window row is read a word at a time and SXTB16 + SMLAD take
 * two taps per instruction (the filter row packed to match, zero past the kernel); a 3-wide kernel keeps its nine taps
 * in registers. Same bytes as the C# reference kernel. */
#include "tinytrain_internal.h"

#define MAX_KERNEL 8

/* One output's raw sum sum w * x over the window at x (rows plane_w apart), tap by tap: no byte outside the window is
 * read (the last outputs of a plane, where a word would run past its end, and builds without the DSP extension). */
TT_INLINE int32_t window_taps(const int8_t *x, int32_t plane_w, const int32_t *taps, int32_t kernel_h, int32_t kernel_w)
{
    int32_t sum = 0, filter_y, filter_x;
    for (filter_y = 0; filter_y < kernel_h; filter_y++, x += plane_w, taps += kernel_w) {
        for (filter_x = 0; filter_x < kernel_w; filter_x++) {
            sum += taps[filter_x] * x[filter_x];
        }
    }
    return sum;
}

#ifdef TT_DSP
/* Four taps of a window row: q holds (w0, w2), (w1, w3) as SXTB16 spreads the bytes of a word, zero past the kernel (the
 * bytes read past the window's row are multiplied by zero). */
TT_INLINE int32_t word_dot(const int8_t *x, const int32_t *q, int32_t sum)
{
    uint32_t v = tt_load32(x);
    sum = __smlad(__sxtb16((int8x4_t)v), q[0], sum);
    return __smlad(tt_sxtb16_odd(v), q[1], sum);
}

/* Two words of row k of a window (pairs 4 words a row), then the next row. */
#define ROW2(k) (sum = word_dot(x + 4, pairs + 4 * (k) + 2, word_dot(x, pairs + 4 * (k), sum)), x += plane_w)

/* A window of rows of up to 8 taps, one or two words a row; 5 and 7 rows of two words unrolled (5x5 and 7x7 kernels). */
TT_INLINE int32_t window_words(const int8_t *x, int32_t plane_w, const int32_t *pairs, int32_t kernel_h, int32_t words)
{
    int32_t sum = 0, filter_y;
    if (words == 2 && kernel_h == 7) {
        ROW2(0), ROW2(1), ROW2(2), ROW2(3), ROW2(4), ROW2(5), ROW2(6);
    } else if (words == 2 && kernel_h == 5) {
        ROW2(0), ROW2(1), ROW2(2), ROW2(3), ROW2(4);
    } else if (words == 1) {
        for (filter_y = 0; filter_y < kernel_h; filter_y++, x += plane_w, pairs += 2) {
            sum = word_dot(x, pairs, sum);
        }
    } else {
        for (filter_y = 0; filter_y < kernel_h; filter_y++, x += plane_w, pairs += 4) {
            sum = word_dot(x, pairs, sum);
            sum = word_dot(x + 4, pairs + 2, sum);
        }
    }
    return sum;
}
#endif

#ifdef TT_DSP
/* Outputs [0, count) of a window row of a 3x3 kernel, x the first window's top-left tap, the taps and the
 * requantisation's constants in registers (no mask). Per row: (x0, x2) . (w0, w2) + x1 * w1. At stride 1, two outputs a
 * pass from the same words: the second's row is (x1, x3) . (w0, w2) + x2 * w1. The sums start at the bias. */
TT_INLINE void row_3x3_as(const int8_t *x, int32_t plane_w, int32_t stride, int32_t count, const int32_t *pairs,
                          const tt_channel_requant *r, int8_t *out, int32_t out_step, int in_magic)
{
    /* (w0, w2) of each row; the middle taps of rows 0 and 1 in the halves of one word (SMLAxB / SMLAxT take either). */
    const int32_t w0 = pairs[0], w1 = pairs[2], w2 = pairs[4], last = pairs[5];
    const int32_t middle = (int32_t)(((uint32_t)pairs[1] & 0xFFFFu) | ((uint32_t)pairs[3] << 16));
    const tt_channel_requant q = *r;
    if (stride == 1) {
        for (; count >= 2; count -= 2, x += 2, out += 2 * out_step) {
            uint32_t a = tt_load32(x), b = tt_load32(x + plane_w), c = tt_load32(x + 2 * plane_w);
            int16x2_t even = __sxtb16((int8x4_t)a), odd = tt_sxtb16_odd(a);
            int32_t s0 = __smlabb(odd, middle, __smlad(even, w0, q.bias));
            int32_t s1 = __smlatb(even, middle, __smlad(odd, w0, q.bias));
            even = __sxtb16((int8x4_t)b), odd = tt_sxtb16_odd(b);
            s0 = __smlabt(odd, middle, __smlad(even, w1, s0));
            s1 = __smlatt(even, middle, __smlad(odd, w1, s1));
            even = __sxtb16((int8x4_t)c), odd = tt_sxtb16_odd(c);
            s0 = __smlabb(odd, last, __smlad(even, w2, s0));
            s1 = __smlatb(even, last, __smlad(odd, w2, s1));
            out[0] = (int8_t)(tt_channel_requantize_bits(&q, s0) + (in_magic ? 0 : q.offset));
            out[out_step] = (int8_t)(tt_channel_requantize_bits(&q, s1) + (in_magic ? 0 : q.offset));
        }
    }
    for (; count > 0; count--, x += stride, out += out_step) {
        uint32_t a = tt_load32(x), b = tt_load32(x + plane_w), c = tt_load32(x + 2 * plane_w);
        int32_t sum = __smlabb(tt_sxtb16_odd(a), middle, __smlad(__sxtb16((int8x4_t)a), w0, q.bias));
        sum = __smlabt(tt_sxtb16_odd(b), middle, __smlad(__sxtb16((int8x4_t)b), w1, sum));
        sum = __smlabb(tt_sxtb16_odd(c), last, __smlad(__sxtb16((int8x4_t)c), w2, sum));
        *out = (int8_t)(tt_channel_requantize_bits(&q, sum) + (in_magic ? 0 : q.offset));
    }
}

/* row_3x3_as, with the zero point in the rounding constant (in_magic: the float's low byte is the output) or not. Not
 * inlined: in the caller's large body GCC spills the taps, with registers to spare. */
static __attribute__((noinline)) void row_3x3(const int8_t *x, int32_t plane_w, int32_t stride, int32_t count, const int32_t *pairs,
                    const tt_channel_requant *r, int8_t *out, int32_t out_step)
{
    if ((r->offset & 0xFF) == 0) {
        row_3x3_as(x, plane_w, stride, count, pairs, r, out, out_step, 1);
    } else {
        row_3x3_as(x, plane_w, stride, count, pairs, r, out, out_step, 0);
    }
}
#endif

#ifdef TT_DSP
/* The raw sums of the windows at x and x + stride of a kernel of kernel_h rows of two words (the taps' four lanes a row in
 * pairs), into sums[0] and sums[1]: per row one LDM of the taps, two words of each window, SXTB16 and SMLAD. An assembly
 * function, as GCC spills the taps and inline assembly asking for twelve registers does not compile everywhere. x r0 (then
 * the first window's row), stride r1 (then the second's), plane_w r2, sums r3; pairs and kernel_h on the stack (sp + 36
 * after the push); the taps r4-r7 through r12 up to lr, the word r8 and its even half r11, the sums r9 and r10. */
__attribute__((naked)) static void pair_sums(const int8_t *x __attribute__((unused)), int32_t stride __attribute__((unused)),
                                             int32_t plane_w __attribute__((unused)), int32_t *sums __attribute__((unused)),
                                             const int32_t *pairs __attribute__((unused)),
                                             int32_t kernel_h __attribute__((unused)))
{
    __asm__("push {r4-r11, lr}\n\t"
            "ldr r12, [sp, #36]\n\t"
            "ldr lr, [sp, #40]\n\t"
            "add r1, r0, r1\n\t"
            "add lr, r12, lr, lsl #4\n\t"
            "movs r9, #0\n\t"
            "movs r10, #0\n"
            "1:\n\t"
            "ldmia r12!, {r4, r5, r6, r7}\n\t"
            "ldr r8, [r0]\n\t"
            "sxtb16 r11, r8\n\t"
            "sxtb16 r8, r8, ror #8\n\t"
            "smlad r9, r11, r4, r9\n\t"
            "smlad r9, r8, r5, r9\n\t"
            "ldr r8, [r0, #4]\n\t"
            "add r0, r0, r2\n\t"
            "sxtb16 r11, r8\n\t"
            "sxtb16 r8, r8, ror #8\n\t"
            "smlad r9, r11, r6, r9\n\t"
            "smlad r9, r8, r7, r9\n\t"
            "ldr r8, [r1]\n\t"
            "sxtb16 r11, r8\n\t"
            "sxtb16 r8, r8, ror #8\n\t"
            "smlad r10, r11, r4, r10\n\t"
            "smlad r10, r8, r5, r10\n\t"
            "ldr r8, [r1, #4]\n\t"
            "add r1, r1, r2\n\t"
            "sxtb16 r11, r8\n\t"
            "sxtb16 r8, r8, ror #8\n\t"
            "smlad r10, r11, r6, r10\n\t"
            "smlad r10, r8, r7, r10\n\t"
            "cmp r12, lr\n\t"
            "bne 1b\n\t"
            "strd r9, r10, [r3]\n\t"
            "pop {r4-r11, pc}");
}

/* Outputs [0, count) of a window row of a 5x5 or 7x7 kernel (rows of two words), every word inside the plane, on the fast
 * requantisation with no mask: two outputs a pass (pair_sums), each row's taps loaded once for both. Not inlined (see
 * row_3x3). */
static __attribute__((noinline)) void row_wide(const int8_t *x, int32_t plane_w, int32_t stride, int32_t count,
                                               const int32_t *pairs, int32_t kernel_h, const tt_channel_requant *r,
                                               int8_t *out, int32_t out_step)
{
    const tt_channel_requant q = *r;
    for (; count >= 2; count -= 2, x += 2 * stride, out += 2 * out_step) {
        int32_t sums[2];
        pair_sums(x, stride, plane_w, sums, pairs, kernel_h);
        out[0] = tt_channel_requantize(&q, sums[0]);
        out[out_step] = tt_channel_requantize(&q, sums[1]);
    }
    if (count > 0) {
        *out = tt_channel_requantize(&q, window_words(x, plane_w, pairs, kernel_h, 2));
    }
}
#endif

/* One output: the fast requantisation when the channel allows it, tt_requantize (int64) otherwise. */
TT_INLINE void put(const tt_depthwise_conv2d_params *p, const int32_t *bias, const tt_channel_requant *r, int fast,
                   int32_t channel, int32_t raw, int64_t fold, int8_t *out, uint8_t *mask, int32_t index)
{
    if (fast) {
        *out = mask == NULL ? tt_channel_requantize(r, raw)
                            : tt_channel_clamp_mask(r, tt_channel_requantize_unclamped(r, raw), mask, index);
    } else {
        *out = tt_requantize(&p->requant, bias, p->output_zero_point, p->act_min, p->act_max, channel, (int64_t)raw + fold,
                             mask, index);
    }
}

int tt_depthwise_plane_interior(const tt_depthwise_conv2d_params *p, int32_t channel, const int8_t *plane, int32_t plane_h,
                                int32_t plane_w, int32_t top, int32_t left, const int8_t *filter, const int32_t *bias,
                                int32_t y_first, int32_t y_last, int32_t x_first, int32_t x_last, int8_t *output,
                                uint8_t *mask)
{
    const int32_t kernel_h = p->kernel_h, kernel_w = p->kernel_w, stride_h = p->stride_h, stride_w = p->stride_w;
    const int32_t channels = p->input_c * p->depth_multiplier, output_w = p->output_w, taps_count = kernel_h * kernel_w;
    const int32_t plane_bytes = plane_h * plane_w;
    int32_t taps[MAX_KERNEL * MAX_KERNEL];
    int32_t weights = 0, tap, out_y, out_x;
    int64_t fold;
    tt_channel_requant r;
    int fast;
#ifdef TT_DSP
    int32_t pairs[MAX_KERNEL * 4] = {0};
    const int32_t words = (kernel_w + 3) / 4;
    int32_t w00, w01, w10, w11, w20, w21;
#endif
    if (p->dilation_h != 1 || p->dilation_w != 1 || kernel_h > MAX_KERNEL || kernel_w > MAX_KERNEL) {
        return 0;
    }

    for (tap = 0; tap < taps_count; tap++) {
        taps[tap] = filter[tap * channels + channel];
        weights += taps[tap];
    }
    fold = -(int64_t)p->input_zero_point * weights;
    fast = tt_channel_requant_init(&r, &p->requant, bias, fold, p->output_zero_point, p->act_min, p->act_max, channel,
                                   (int64_t)taps_count * 128 * 128);
#ifdef TT_DSP
    for (tap = 0; tap < taps_count; tap++) {
        int32_t row = tap / kernel_w, column = tap - row * kernel_w; /* once per channel */
        int32_t *slot = pairs + row * words * 2 + (column / 4) * 2 + (column & 1);
        *slot |= (column & 2) != 0 ? (int32_t)((uint32_t)taps[tap] << 16) : (taps[tap] & 0xFFFF);
    }
    w00 = pairs[0];
    w01 = pairs[1];
    w10 = pairs[2];
    w11 = pairs[3];
    w20 = pairs[4];
    w21 = pairs[5];
#endif

    for (out_y = y_first; out_y < y_last; out_y++) {
        const int8_t *row = plane + (out_y * stride_h - p->pad_top + top) * plane_w - p->pad_left + left;
        int8_t *out_row = output + out_y * output_w * channels + channel;
        out_x = x_first;
#ifdef TT_DSP
        if (kernel_h == 3 && kernel_w == 3 && fast && mask == NULL && x_first < x_last) {
            /* The outputs whose last word stays inside the plane, then the rest below. */
            int32_t room = plane_bytes - 4 - (int32_t)(row + x_first * stride_w - plane) - 2 * plane_w;
            int32_t count = room < 0 ? 0 : room / stride_w + 1;
            count = count < x_last - x_first ? count : x_last - x_first;
            row_3x3(row + x_first * stride_w, plane_w, stride_w, count, pairs, &r, out_row + x_first * channels, channels);
            out_x += count;
        } else if (words == 2 && (kernel_h == 5 || kernel_h == 7) && fast && mask == NULL && x_first < x_last) {
            int32_t room = plane_bytes - 8 - (int32_t)(row + x_first * stride_w - plane) - (kernel_h - 1) * plane_w;
            int32_t count = room < 0 ? 0 : room / stride_w + 1;
            count = count < x_last - x_first ? count : x_last - x_first;
            row_wide(row + x_first * stride_w, plane_w, stride_w, count, pairs, kernel_h, &r, out_row + x_first * channels,
                     channels);
            out_x += count;
        }
#endif
        for (; out_x < x_last; out_x++) {
            const int8_t *x = row + out_x * stride_w;
            int32_t index = (out_y * output_w + out_x) * channels + channel, sum;
#ifdef TT_DSP
            if (words == 2 && (kernel_h == 5 || kernel_h == 7) && out_x + 1 < x_last &&
                (int32_t)(x - plane) + stride_w + (kernel_h - 1) * plane_w + 8 <= plane_bytes) {
                /* Two outputs at once, while the second's last word stays inside the plane. */
                int32_t sums[2];
                pair_sums(x, stride_w, plane_w, sums, pairs, kernel_h);
                put(p, bias, &r, fast, channel, sums[0], fold, out_row + out_x * channels, mask, index);
                put(p, bias, &r, fast, channel, sums[1], fold, out_row + (out_x + 1) * channels, mask, index + channels);
                out_x++;
                continue;
            }
            if ((int32_t)(x - plane) + (kernel_h - 1) * plane_w + 4 * words > plane_bytes) {
                sum = window_taps(x, plane_w, taps, kernel_h, kernel_w);
            } else if (kernel_h == 3 && kernel_w == 3) {
                /* (x0, x2) . (w0, w2) + x1 * w1 per row, the taps in registers. */
                uint32_t a = tt_load32(x), b = tt_load32(x + plane_w), c = tt_load32(x + 2 * plane_w);
                sum = __smlad(__sxtb16((int8x4_t)a), w00, 0);
                sum = __smlabb(tt_sxtb16_odd(a), w01, sum);
                sum = __smlad(__sxtb16((int8x4_t)b), w10, sum);
                sum = __smlabb(tt_sxtb16_odd(b), w11, sum);
                sum = __smlad(__sxtb16((int8x4_t)c), w20, sum);
                sum = __smlabb(tt_sxtb16_odd(c), w21, sum);
            } else {
                sum = window_words(x, plane_w, pairs, kernel_h, words);
            }
#else
            (void)plane_bytes;
            sum = window_taps(x, plane_w, taps, kernel_h, kernel_w);
#endif
            put(p, bias, &r, fast, channel, sum, fold, out_row + out_x * channels, mask, index);
        }
    }
    return 1;
}
