/* Conv2D's 1x1 path (and ConvDepthwise's, into channel planes): a 1x1 conv with stride 1 and no padding is a product of
 * the pixels (rows of input_c bytes) and the filter (rows of input_c bytes). With the DSP extension and input_c a
 * multiple of 4, four output channels a pixel (conv2d_pointwise_quads.c); otherwise two pixels by two output channels at
 * a time, so that every loaded word is used twice. The input zero point is folded into the bias:
 * sum w * (x - zp) = sum w * x - zp * sum w, all exact integers. Same bytes as the C# reference kernel. */
#include "tinytrain_internal.h"

int tt_conv2d_is_pointwise(const tt_conv2d_params *p)
{
    return p->kernel_h == 1 && p->kernel_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
           p->pad_left == 0 && p->input_h == p->output_h && p->input_w == p->output_w;
}

/* s = { pixel 0 . channel 0, pixel 0 . channel 1, pixel 1 . channel 0, pixel 1 . channel 1 }, where pixel 1 is x + x_step
 * and channel 1 is w + w_step: the step is n (the next row) or 0 (an odd last pixel or channel, paired with itself). */
TT_INLINE void dot_2x2(const int8_t *x, int32_t x_step, const int8_t *w, int32_t w_step, int32_t n, int32_t *s)
{
    int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;
    const int8_t *end = x + n;
#ifdef TT_DSP
    for (; x + 4 <= end; x += 4, w += 4) {
        uint32_t a = tt_load32(x), b = tt_load32(x + x_step), v = tt_load32(w);
        int16x2_t a_even = __sxtb16((int8x4_t)a), a_odd = tt_sxtb16_odd(a);
        int16x2_t b_even = __sxtb16((int8x4_t)b), b_odd = tt_sxtb16_odd(b);
        int16x2_t v_even = __sxtb16((int8x4_t)v), v_odd = tt_sxtb16_odd(v);
        s00 = __smlad(v_even, a_even, s00);
        s00 = __smlad(v_odd, a_odd, s00);
        s10 = __smlad(v_even, b_even, s10);
        s10 = __smlad(v_odd, b_odd, s10);
        v = tt_load32(w + w_step);
        v_even = __sxtb16((int8x4_t)v);
        v_odd = tt_sxtb16_odd(v);
        s01 = __smlad(v_even, a_even, s01);
        s01 = __smlad(v_odd, a_odd, s01);
        s11 = __smlad(v_even, b_even, s11);
        s11 = __smlad(v_odd, b_odd, s11);
    }
#endif
    for (; x < end; x++, w++) {
        int32_t a = x[0], b = x[x_step], u = w[0], v = w[w_step];
        s00 += u * a;
        s01 += v * a;
        s10 += u * b;
        s11 += v * b;
    }
    s[0] = s00;
    s[1] = s01;
    s[2] = s10;
    s[3] = s11;
}

/* tt_conv2d_pointwise two pixels by two output channels at a time. Not inlined, so that its frame is not on the stack
 * under the quads' 2.5 KB. */
static __attribute__((noinline)) void pairs(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter,
                                            const int32_t *bias, int32_t first_channel, int32_t channels, int8_t *output,
                                            int32_t pixel_step, int32_t channel_step, uint8_t *mask)
{
    const int32_t n = p->input_c, pixels = p->output_h * p->output_w, output_c = p->output_c;
    const int64_t max_abs_sum = (int64_t)n * 128 * 128, zero = p->input_zero_point;
    int32_t k;
    for (k = 0; k < channels; k += 2) {
        /* An odd last channel is computed twice and stored twice, to the same place. */
        const int32_t c0 = first_channel + k, c1 = k + 1 < channels ? c0 + 1 : c0;
        const int8_t *w0 = filter + c0 * n, *w1 = filter + c1 * n;
        int8_t *out0 = output + k * channel_step, *out1 = output + (c1 - first_channel) * channel_step;
        int32_t weights0 = 0, weights1 = 0, pixel, i;
        int64_t fold0, fold1;
        tt_channel_requant r0, r1;
        int fast;
        for (i = 0; i < n; i++) {
            weights0 += w0[i];
            weights1 += w1[i];
        }
        fold0 = -zero * weights0;
        fold1 = -zero * weights1;
        fast = tt_channel_requant_init(&r0, &p->requant, bias, fold0, p->output_zero_point, p->act_min, p->act_max, c0, max_abs_sum);
        fast = tt_channel_requant_init(&r1, &p->requant, bias, fold1, p->output_zero_point, p->act_min, p->act_max, c1, max_abs_sum) &&
               fast;
        if (fast && mask == NULL) {
            /* The common case without the checks of put. */
            for (pixel = 0; pixel < pixels; pixel += 2) {
                const int32_t second = pixel + 1 < pixels ? pixel + 1 : pixel;
                int32_t s[4];
                dot_2x2(input + pixel * n, (second - pixel) * n, w0, (c1 - c0) * n, n, s);
                out0[pixel * pixel_step] = tt_channel_requantize(&r0, s[0]);
                out1[pixel * pixel_step] = tt_channel_requantize(&r1, s[1]);
                out0[second * pixel_step] = tt_channel_requantize(&r0, s[2]);
                out1[second * pixel_step] = tt_channel_requantize(&r1, s[3]);
            }
            continue;
        }

        for (pixel = 0; pixel < pixels; pixel += 2) {
            /* An odd last pixel pairs with itself. */
            const int32_t second = pixel + 1 < pixels ? pixel + 1 : pixel;
            int32_t s[4];
            dot_2x2(input + pixel * n, (second - pixel) * n, w0, (c1 - c0) * n, n, s);
            tt_conv2d_put(p, bias, &r0, fast, fold0, c0, s[0], out0 + pixel * pixel_step, mask, pixel * output_c + c0);
            tt_conv2d_put(p, bias, &r1, fast, fold1, c1, s[1], out1 + pixel * pixel_step, mask, pixel * output_c + c1);
            tt_conv2d_put(p, bias, &r0, fast, fold0, c0, s[2], out0 + second * pixel_step, mask, second * output_c + c0);
            tt_conv2d_put(p, bias, &r1, fast, fold1, c1, s[3], out1 + second * pixel_step, mask, second * output_c + c1);
        }
    }
}

void tt_conv2d_pointwise(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                         int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step, int32_t channel_step,
                         uint8_t *mask)
{
#ifdef TT_DSP
    if (p->input_c % 4 == 0) {
        tt_conv2d_pointwise_quads(p, input, filter, bias, first_channel, channels, output, pixel_step, channel_step, mask);
        return;
    }
#endif
    pairs(p, input, filter, bias, first_channel, channels, output, pixel_step, channel_step, mask);
}
