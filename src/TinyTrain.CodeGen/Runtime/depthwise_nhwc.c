/* DepthwiseConv2D from the NHWC input, four channels at a time: for layers of small planes and many channels, where
 * gathering each channel's plane costs more than its few outputs. The four channels of every pixel are gathered as one
 * word into a padded plane on the stack (the zero point in the padding, so that every window lies inside it and every
 * tap counts); SXTAB16 spreads two channels of a word into 16-bit lanes less the zero point, and SMLABB / SMLATT add each
 * lane's product to its channel's sum, against the four channels' taps spread into lanes once. Same bytes as the C#
 * reference kernel. */
#include <string.h>

#include "tinytrain_internal.h"

#define MAX_TAPS 64
#define MAX_WORDS 256 /* the padded plane: 1 KB */

/* One output: the fast requantisation when the channel allows it, tt_requantize (int64) otherwise. */
TT_INLINE void put(const tt_depthwise_conv2d_params *p, const int32_t *bias, const tt_channel_requant *r, int fast,
                   int32_t channel, int32_t sum, int8_t *out, uint8_t *mask, int32_t index)
{
    if (fast) {
        *out = mask == NULL ? tt_channel_requantize(r, sum)
                            : tt_channel_clamp_mask(r, tt_channel_requantize_unclamped(r, sum), mask, index);
    } else {
        *out = tt_requantize(&p->requant, bias, p->output_zero_point, p->act_min, p->act_max, channel, sum, mask, index);
    }
}

#ifdef TT_DSP
/* One tap of the four channels: lanes l = (w0, w2), (w1, w3); the pixel's word v spread the same way, less the zero point. */
#define TAP(v, l)                                                                                                      \
    do {                                                                                                               \
        const uint32_t v_ = (v);                                                                                       \
        const int16x2_t even_ = __sxtab16(minus_zero, (int8x4_t)v_), odd_ = tt_sxtab16_odd(minus_zero, v_);            \
        s0 = __smlabb(even_, (l)[0], s0);                                                                              \
        s2 = __smlatt(even_, (l)[0], s2);                                                                              \
        s1 = __smlabb(odd_, (l)[1], s1);                                                                               \
        s3 = __smlatt(odd_, (l)[1], s3);                                                                               \
    } while (0)
#endif

/* The four channels' sums over one window: x its top-left word, taps[i] the four channels' bytes of tap i (lanes[2i],
 * lanes[2i + 1] the same spread by SXTB16: channels 0 and 2, 1 and 3). Rows of 3, 5 and 7 adjacent taps unrolled. */
TT_INLINE void window(const uint32_t *x, int32_t row_step, int32_t column_step, const uint32_t *taps, const int32_t *lanes,
                      int32_t kernel_h, int32_t kernel_w, int32_t zero, int32_t *s)
{
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, filter_y, filter_x;
#ifdef TT_DSP
    const int16x2_t minus_zero = (int16x2_t)(((uint32_t)-zero << 16) | ((uint32_t)-zero & 0xFFFFu));
    (void)taps;
    if (column_step == 1 && kernel_w == 3) {
        for (filter_y = 0; filter_y < kernel_h; filter_y++, x += row_step, lanes += 6) {
            TAP(x[0], lanes); TAP(x[1], lanes + 2); TAP(x[2], lanes + 4);
        }
    } else if (column_step == 1 && kernel_w == 5) {
        for (filter_y = 0; filter_y < kernel_h; filter_y++, x += row_step, lanes += 10) {
            TAP(x[0], lanes); TAP(x[1], lanes + 2); TAP(x[2], lanes + 4); TAP(x[3], lanes + 6); TAP(x[4], lanes + 8);
        }
    } else if (column_step == 1 && kernel_w == 7) {
        for (filter_y = 0; filter_y < kernel_h; filter_y++, x += row_step, lanes += 14) {
            TAP(x[0], lanes); TAP(x[1], lanes + 2); TAP(x[2], lanes + 4); TAP(x[3], lanes + 6); TAP(x[4], lanes + 8);
            TAP(x[5], lanes + 10); TAP(x[6], lanes + 12);
        }
    } else {
        for (filter_y = 0; filter_y < kernel_h; filter_y++, x += row_step) {
            const uint32_t *v = x;
            for (filter_x = 0; filter_x < kernel_w; filter_x++, v += column_step, lanes += 2) {
                TAP(*v, lanes);
            }
        }
    }
#else
    (void)lanes;
    for (filter_y = 0; filter_y < kernel_h; filter_y++, x += row_step) {
        const uint32_t *v = x;
        for (filter_x = 0; filter_x < kernel_w; filter_x++, v += column_step, taps++) {
            int8_t b[4], w[4];
            memcpy(b, v, 4);
            memcpy(w, taps, 4);
            s0 += w[0] * (b[0] - zero);
            s1 += w[1] * (b[1] - zero);
            s2 += w[2] * (b[2] - zero);
            s3 += w[3] * (b[3] - zero);
        }
    }
#endif
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
}

/* Every output of four channels on the fast requantisation, the constants in locals (the int8 stores would otherwise
 * force them to be reloaded for every output). output points at the first channel's; index is its NHWC index. */
TT_INLINE void outputs_fast_as(const tt_depthwise_conv2d_params *p, const uint32_t *plane, int32_t plane_w,
                               const uint32_t *taps, const int32_t *lanes, const tt_channel_requant *r, int8_t *output,
                               uint8_t *mask, int32_t index, int masked)
{
    const tt_channel_requant r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3];
    const int32_t channels = p->input_c, row_step = p->dilation_h * plane_w, column_step = p->dilation_w;
    const int32_t kernel_h = p->kernel_h, kernel_w = p->kernel_w, zero = p->input_zero_point;
    const int32_t stride_h = p->stride_h * plane_w, stride_w = p->stride_w, output_w = p->output_w;
    int32_t y, x, s[4];
    for (y = 0; y < p->output_h; y++) {
        const uint32_t *row = plane + y * stride_h;
        for (x = 0; x < output_w; x++, output += channels, index += channels) {
            window(row + x * stride_w, row_step, column_step, taps, lanes, kernel_h, kernel_w, zero, s);
            if (masked) {
                output[0] = tt_channel_clamp_mask(&r0, tt_channel_requantize_unclamped(&r0, s[0]), mask, index);
                output[1] = tt_channel_clamp_mask(&r1, tt_channel_requantize_unclamped(&r1, s[1]), mask, index + 1);
                output[2] = tt_channel_clamp_mask(&r2, tt_channel_requantize_unclamped(&r2, s[2]), mask, index + 2);
                output[3] = tt_channel_clamp_mask(&r3, tt_channel_requantize_unclamped(&r3, s[3]), mask, index + 3);
            } else {
                output[0] = tt_channel_requantize(&r0, s[0]);
                output[1] = tt_channel_requantize(&r1, s[1]);
                output[2] = tt_channel_requantize(&r2, s[2]);
                output[3] = tt_channel_requantize(&r3, s[3]);
            }
        }
    }
}

static void outputs_fast(const tt_depthwise_conv2d_params *p, const uint32_t *plane, int32_t plane_w, const uint32_t *taps,
                         const int32_t *lanes, const tt_channel_requant *r, int8_t *output, uint8_t *mask, int32_t index)
{
    if (mask != NULL) {
        outputs_fast_as(p, plane, plane_w, taps, lanes, r, output, mask, index, 1);
    } else {
        outputs_fast_as(p, plane, plane_w, taps, lanes, r, output, NULL, index, 0);
    }
}

int tt_depthwise_nhwc(const tt_depthwise_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                      int8_t *output, uint8_t *mask)
{
    const int32_t channels = p->input_c, kernel_h = p->kernel_h, kernel_w = p->kernel_w, taps_count = kernel_h * kernel_w;
    const int32_t plane_h = (p->output_h - 1) * p->stride_h + p->dilation_h * (kernel_h - 1) + 1;
    const int32_t plane_w = (p->output_w - 1) * p->stride_w + p->dilation_w * (kernel_w - 1) + 1;
    const int32_t zero = p->input_zero_point;
    uint32_t plane[MAX_WORDS], taps[MAX_TAPS];
    int32_t lanes[MAX_TAPS * 2];
    /* The plane's columns that hold input pixels. */
    const int32_t x_first = p->pad_left < plane_w ? p->pad_left : plane_w;
    const int32_t x_last = p->pad_left + p->input_w < plane_w ? p->pad_left + p->input_w : plane_w;
    uint32_t fill;
    int32_t first, tap, y, x, j, s[4];
    if (p->depth_multiplier != 1 || taps_count > MAX_TAPS || p->pad_top < 0 || p->pad_left < 0 ||
        (int64_t)plane_h * plane_w > MAX_WORDS) {
        return 0;
    }

    memset(&fill, (int8_t)zero, 4);
    for (first = 0; first < channels; first += 4) {
        const int32_t count = channels - first < 4 ? channels - first : 4;
        tt_channel_requant r[4];
        int fast[4];
        for (j = 0; j < count; j++) {
            fast[j] = tt_channel_requant_init(&r[j], &p->requant, bias, 0, p->output_zero_point, p->act_min, p->act_max,
                                              first + j, (int64_t)taps_count * 128 * 255);
        }
        /* The four channels' taps and pixels as words, lanes past the last channel 0 (taps) and the zero point. */
        for (tap = 0; tap < taps_count; tap++) {
            int8_t w[4] = {0, 0, 0, 0};
            memcpy(w, filter + tap * channels + first, (size_t)count);
            memcpy(&taps[tap], w, 4);
#ifdef TT_DSP
            lanes[2 * tap] = __sxtb16((int8x4_t)taps[tap]);
            lanes[2 * tap + 1] = tt_sxtb16_odd(taps[tap]);
#endif
        }
        for (y = 0; y < plane_h; y++) {
            const int32_t in_y = y - p->pad_top;
            uint32_t *row = plane + y * plane_w;
            for (x = 0; x < plane_w; x++) {
                row[x] = fill;
            }
            if (in_y < 0 || in_y >= p->input_h) {
                continue;
            }
            for (x = x_first; x < x_last; x++) {
                const int8_t *from = input + (in_y * p->input_w + x - p->pad_left) * channels + first;
                if (count == 4) {
                    memcpy(&row[x], from, 4);
                } else {
                    memcpy(&row[x], from, (size_t)count); /* the rest keeps the zero point */
                }
            }
        }

        if (count == 4 && fast[0] && fast[1] && fast[2] && fast[3]) {
            outputs_fast(p, plane, plane_w, taps, lanes, r, output + first, mask, first);
            continue;
        }

        for (y = 0; y < p->output_h; y++) {
            for (x = 0; x < p->output_w; x++) {
                const int32_t index = (y * p->output_w + x) * channels + first;
                window(plane + y * p->stride_h * plane_w + x * p->stride_w, p->dilation_h * plane_w, p->dilation_w, taps, lanes,
                       kernel_h, kernel_w, zero, s);
                if (count == 4) {
                    put(p, bias, &r[0], fast[0], first, s[0], output + index, mask, index);
                    put(p, bias, &r[1], fast[1], first + 1, s[1], output + index + 1, mask, index + 1);
                    put(p, bias, &r[2], fast[2], first + 2, s[2], output + index + 2, mask, index + 2);
                    put(p, bias, &r[3], fast[3], first + 3, s[3], output + index + 3, mask, index + 3);
                    continue;
                }
                for (j = 0; j < count; j++) {
                    put(p, bias, &r[j], fast[j], first + j, s[j], output + index + j, mask, index + j);
                }
            }
        }
    }
    return 1;
}
