/* Conv2D (Conv2D.cs, Conv2D.Float.cs): int8 NHWC convolution with an OHWI filter, and its fp32 forward; the backward
 * is conv2d_backward.c. The arithmetic is that of the C# reference kernels. */
#include <string.h>

#include "tinytrain_internal.h"

static int32_t output_length(const tt_conv2d_params *p) { return p->output_h * p->output_w * p->output_c; }

/* mask NULL records nothing. The plain loops with an int64 sum: used when an int32 sum could overflow. */
static void forward_int64(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                    int8_t *output, uint8_t *mask)
{
    int32_t out_y, out_x, out_channel, in_channel;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            for (out_channel = 0; out_channel < p->output_c; out_channel++) {
                int64_t sum = 0; /* exact: the float mode adds the bias in int64 */
                int32_t index;
                tt_taps t = TT_TAPS(p, out_y, out_x); /* padded taps hold the input zero point: they contribute 0 */
                while (tt_taps_next(&t)) {
                    const int8_t *x = input + t.pixel * p->input_c;
                    const int8_t *w = filter + (out_channel * p->kernel_h * p->kernel_w + t.tap) * p->input_c;
                    for (in_channel = 0; in_channel < p->input_c; in_channel++) {
                        sum += (int32_t)w[in_channel] * ((int32_t)x[in_channel] - p->input_zero_point);
                    }
                }

                index = (out_y * p->output_w + out_x) * p->output_c + out_channel;
                output[index] = tt_requantize(&p->requant, bias, p->output_zero_point, p->act_min, p->act_max,
                                                     out_channel, sum, mask, index);
            }
        }
    }
}

/* |w * (x - zp)| <= 128 * 255, so up to this many terms sum exactly in an int32: the same integer as the int64 sum. */
#define INT32_EXACT_TERMS 65793

/* s0 += sum_i w0[i] * (x[i] - zp) and s1 likewise with w1: two output channels share each input's conversion. With the
 * DSP extension (Cortex-M4/M7), SMLAD does two 16-bit multiply-accumulates at once; integer sums are exact in any order. */
TT_INLINE void dot2(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t n, int32_t zp, int32_t *s0, int32_t *s1)
{
    int32_t a0 = *s0, a1 = *s1, i = 0;
#ifdef TT_DSP
    const int16x2_t offset = (int16x2_t)((uint32_t)(uint16_t)(int16_t)-zp * 0x10001u);
    for (; i + 4 <= n; i += 4) {
        uint32_t xs = tt_load32(x + i), ws0 = tt_load32(w0 + i), ws1 = tt_load32(w1 + i);
        int16x2_t even = __sxtab16(offset, (int8x4_t)xs);          /* x0 - zp, x2 - zp */
        int16x2_t odd = tt_sxtab16_odd(offset, xs); /* x1 - zp, x3 - zp */
        a0 = __smlad(__sxtb16((int8x4_t)ws0), even, a0);
        a0 = __smlad(tt_sxtb16_odd(ws0), odd, a0);
        a1 = __smlad(__sxtb16((int8x4_t)ws1), even, a1);
        a1 = __smlad(tt_sxtb16_odd(ws1), odd, a1);
    }
#endif
    for (; i < n; i++) {
        int32_t v = (int32_t)x[i] - zp;
        a0 += (int32_t)w0[i] * v;
        a1 += (int32_t)w1[i] * v;
    }
    *s0 = a0;
    *s1 = a1;
}

/* The windows too large for a patch: the reference's sums, two output channels at a time, over the taps inside the input
 * only (padding is the zero point: those taps contribute 0), each window row in int32 (at most kernel_w * input_c
 * terms), the rows in int64. With dilation_w 1 a window row is one contiguous run of (kx, ic) in input and filter.
 * Output addressing and mask as tt_conv2d_pointwise's. The geometry is copied into locals: int8 stores may alias
 * anything, so fields read through p would be reloaded. */
static void windows(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                    int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step, int32_t channel_step,
                    uint8_t *mask)
{
    const int32_t input_w = p->input_w, input_c = p->input_c, output_c = p->output_c, kernel_h = p->kernel_h;
    const int32_t dilation_h = p->dilation_h, dilation_w = p->dilation_w, zero = p->input_zero_point;
    const int32_t row = p->kernel_w * input_c, per_output = kernel_h * row;
    int32_t out_y, out_x, k, filter_y, filter_x;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        int32_t in_y_origin = out_y * p->stride_h - p->pad_top;
        int32_t y_first, y_last;
        tt_window(in_y_origin, dilation_h, kernel_h, p->input_h, &y_first, &y_last);
        for (out_x = 0; out_x < p->output_w; out_x++) {
            int32_t in_x_origin = out_x * p->stride_w - p->pad_left;
            int32_t x_first, x_last, pixel = out_y * p->output_w + out_x, run, offset;
            const int8_t *corner;
            tt_window(in_x_origin, dilation_w, p->kernel_w, input_w, &x_first, &x_last);
            run = (x_last - x_first) * input_c;
            offset = y_first * row + x_first * input_c;
            corner = input + ((in_y_origin + dilation_h * y_first) * input_w + in_x_origin + dilation_w * x_first) * input_c;
            for (k = 0; k < channels; k += 2) {
                /* An odd last channel is computed twice and stored twice, to the same place. */
                const int32_t c0 = first_channel + k, c1 = k + 1 < channels ? c0 + 1 : c0;
                const int8_t *w0 = filter + c0 * per_output + offset;
                const int8_t *w1 = filter + c1 * per_output + offset;
                const int8_t *x = corner;
                int64_t s0 = 0, s1 = 0;
                for (filter_y = y_first; filter_y < y_last; filter_y++) {
                    int32_t a0 = 0, a1 = 0;
                    if (dilation_w == 1) {
                        dot2(x, w0, w1, run, zero, &a0, &a1);
                    } else {
                        for (filter_x = 0; filter_x < x_last - x_first; filter_x++) {
                            dot2(x + filter_x * dilation_w * input_c, w0 + filter_x * input_c, w1 + filter_x * input_c, input_c, zero,
                                 &a0, &a1);
                        }
                    }
                    s0 += a0;
                    s1 += a1;
                    x += dilation_h * input_w * input_c;
                    w0 += row;
                    w1 += row;
                }

                output[pixel * pixel_step + k * channel_step] = tt_requantize(
                    &p->requant, bias, p->output_zero_point, p->act_min, p->act_max, c0, s0, mask, pixel * output_c + c0);
                output[pixel * pixel_step + (c1 - first_channel) * channel_step] = tt_requantize(
                    &p->requant, bias, p->output_zero_point, p->act_min, p->act_max, c1, s1, mask, pixel * output_c + c1);
            }
        }
    }
}

/* Channels [first_channel, first_channel + channels) by the fastest path that fits: 1x1, a window in a patch, or the
 * windows in place; the plain int64 loops when a window row could overflow an int32 sum (NHWC only). */
static void forward_channels(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                             int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step,
                             int32_t channel_step, uint8_t *mask)
{
    if (tt_conv2d_is_pointwise(p) && p->input_c <= INT32_EXACT_TERMS) {
        tt_conv2d_pointwise(p, input, filter, bias, first_channel, channels, output, pixel_step, channel_step, mask);
    } else if (!tt_conv2d_patches(p, input, filter, bias, first_channel, channels, output, pixel_step, channel_step, mask)) {
        windows(p, input, filter, bias, first_channel, channels, output, pixel_step, channel_step, mask);
    }
}

static void forward(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                    int8_t *output, uint8_t *mask)
{
    if (p->kernel_w * p->input_c > INT32_EXACT_TERMS) {
        forward_int64(p, input, filter, bias, output, mask);
        return;
    }
    forward_channels(p, input, filter, bias, 0, p->output_c, output, p->output_c, 1, mask);
}

void tt_conv2d_forward_planes(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                              int32_t first_channel, int32_t channels, int8_t *planes)
{
    forward_channels(p, input, filter, bias, first_channel, channels, planes, 1, p->output_h * p->output_w, NULL);
}

void tt_conv2d_forward(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                       int8_t *output)
{
    forward(p, input, filter, bias, output, NULL);
}

void tt_conv2d_forward_with_mask(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter,
                                 const int32_t *bias, int8_t *output, uint8_t *mask)
{
    memset(mask, 0, (size_t)tt_clamp_mask_byte_length(output_length(p)));
    forward(p, input, filter, bias, output, mask);
}

/* The sum runs over (ky, kx, ic) from 0.0f, then the bias is added. */
static void forward_float(const tt_conv2d_params *p, const float *input, const float *filter, const float *bias,
                          float *output, float min, float max, uint8_t *mask)
{
    int32_t out_y, out_x, out_channel, in_channel;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            for (out_channel = 0; out_channel < p->output_c; out_channel++) {
                float sum = 0.0f;
                int32_t index;
                tt_taps t = TT_TAPS(p, out_y, out_x);
                while (tt_taps_next(&t)) {
                    const float *x = input + t.pixel * p->input_c;
                    const float *w = filter + (out_channel * p->kernel_h * p->kernel_w + t.tap) * p->input_c;
                    for (in_channel = 0; in_channel < p->input_c; in_channel++) {
                        sum += w[in_channel] * x[in_channel];
                    }
                }

                if (bias != NULL) {
                    sum += bias[out_channel];
                }

                index = (out_y * p->output_w + out_x) * p->output_c + out_channel;
                output[index] = tt_clamp_mask_apply(sum, min, max, mask, index);
            }
        }
    }
}

void tt_conv2d_forward_float(const tt_conv2d_params *p, const float *input, const float *filter, const float *bias,
                             float *output, float min, float max)
{
    forward_float(p, input, filter, bias, output, min, max, NULL);
}

void tt_conv2d_forward_float_with_mask(const tt_conv2d_params *p, const float *input, const float *filter,
                                       const float *bias, float *output, float min, float max, uint8_t *mask)
{
    memset(mask, 0, (size_t)tt_clamp_mask_byte_length(output_length(p)));
    forward_float(p, input, filter, bias, output, min, max, mask);
}
