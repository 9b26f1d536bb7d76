/* Conv2D's backward (Conv2D.Backward.cs): the input gradient (a transposed convolution) and the filter gradient of
 * the trained input channels, whole or a block of output channels at a time, in the C# reference kernels' order. */
#include <string.h>

#include "tinytrain_internal.h"

/* A scatter: each input gradient adds its terms in (oy, ox, oc, ky, kx) order, one rounding for the product and
 * one for the sum. Exactly one of filter_q (int8) and filter_f (fp32) is set. */
static void input_grad(const tt_conv2d_params *p, const float *acc_grad, const int8_t *filter_q,
                       const float *filter_f, float *input_grad)
{
    const int32_t input_w = p->input_w, input_c = p->input_c, output_c = p->output_c, kernel_h = p->kernel_h;
    const int32_t kernel_w = p->kernel_w, dilation_h = p->dilation_h, dilation_w = p->dilation_w;
    int32_t out_y, out_x, out_channel, filter_y, filter_x, in_channel;
    memset(input_grad, 0, sizeof(float) * (size_t)(p->input_h * input_w * input_c));
    for (out_y = 0; out_y < p->output_h; out_y++) {
        int32_t in_y_origin = out_y * p->stride_h - p->pad_top;
        int32_t y_first, y_last;
        tt_window(in_y_origin, dilation_h, kernel_h, p->input_h, &y_first, &y_last);
        for (out_x = 0; out_x < p->output_w; out_x++) {
            int32_t in_x_origin = out_x * p->stride_w - p->pad_left;
            int32_t x_first, x_last;
            const float *gradients = acc_grad + (out_y * p->output_w + out_x) * output_c;
            tt_window(in_x_origin, dilation_w, kernel_w, input_w, &x_first, &x_last);
            for (out_channel = 0; out_channel < output_c; out_channel++) {
                float gradient = gradients[out_channel];
                /* With an int8 filter every term of a zero gradient is +-0, and adding +-0 leaves a sum that started at
                 * +0 unchanged (it can never be -0), so skipping them is exact. A float filter may hold an infinity. */
                if (gradient == 0.0f && filter_q != NULL) {
                    continue;
                }

                for (filter_y = y_first; filter_y < y_last; filter_y++) {
                    int32_t in_y = in_y_origin + dilation_h * filter_y;
                    for (filter_x = x_first; filter_x < x_last; filter_x++) {
                        int32_t in_x = in_x_origin + dilation_w * filter_x;
                        int32_t w = ((out_channel * kernel_h + filter_y) * kernel_w + filter_x) * input_c;
                        float *target = input_grad + (in_y * input_w + in_x) * input_c;
                        if (filter_q != NULL) {
                            const int8_t *weights = filter_q + w;
                            for (in_channel = 0; in_channel < input_c; in_channel++) {
                                target[in_channel] += gradient * (float)weights[in_channel];
                            }
                        } else {
                            const float *weights = filter_f + w;
                            for (in_channel = 0; in_channel < input_c; in_channel++) {
                                target[in_channel] += gradient * weights[in_channel];
                            }
                        }
                    }
                }
            }
        }
    }
}

void tt_conv2d_input_grad(const tt_conv2d_params *p, const float *acc_grad, const int8_t *filter, float *input_grad_out)
{
    if (tt_conv2d_is_pointwise(p)) {
        tt_conv2d_input_grad_pointwise(p, acc_grad, filter, input_grad_out);
    } else {
        input_grad(p, acc_grad, filter, NULL, input_grad_out);
    }
}

void tt_conv2d_input_grad_float(const tt_conv2d_params *p, const float *acc_grad, const float *filter,
                                float *input_grad_out)
{
    input_grad(p, acc_grad, NULL, filter, input_grad_out);
}

/* The selected inputs of one pixel as floats, x - zp, for filter_grad_pointwise: up to this many. */
#define POINTWISE_SELECTED_MAX 256

/* t[k] += g * x[k] for k < 8, one VMLA each (see tt_mla), the eight sums and inputs loaded and the sums stored by VLDM and
 * VSTM. */
TT_INLINE void mla8(float *t, const float *x, float g)
{
#ifdef TT_VFP
    __asm__("vldmia %[x], {s8-s15}\n\t"
            "vldmia %[t], {s0-s7}\n\t"
            "vmla.f32 s0, %[g], s8\n\t"
            "vmla.f32 s1, %[g], s9\n\t"
            "vmla.f32 s2, %[g], s10\n\t"
            "vmla.f32 s3, %[g], s11\n\t"
            "vmla.f32 s4, %[g], s12\n\t"
            "vmla.f32 s5, %[g], s13\n\t"
            "vmla.f32 s6, %[g], s14\n\t"
            "vmla.f32 s7, %[g], s15\n\t"
            "vstmia %[t], {s0-s7}"
            : "=m"(*(float(*)[8])t)
            : [t] "r"(t), [x] "r"(x), [g] "t"(g), "m"(*(const float(*)[8])t), "m"(*(const float(*)[8])x)
            : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15");
#else
    int32_t k;
    for (k = 0; k < 8; k++) {
        t[k] = tt_mla(t[k], g, x[k]);
    }
#endif
}

/* filter_grad of a 1x1 conv with stride 1 and no padding, int8 input: pixel by pixel, the selected inputs converted once
 * (unless all the pixel's gradients are zero), then each output's row of sums takes g * x eight at a time (zero gradients
 * skipped, as there). Same floats. */
static void filter_grad_pointwise(const tt_conv2d_params *p, const int8_t *input, float zero_point, const float *acc_grad,
                                  const int32_t *input_channels, int32_t selected, int32_t first_output, int32_t outputs,
                                  float *filter_grad_out)
{
    const int32_t pixels = p->output_h * p->output_w, input_c = p->input_c, output_c = p->output_c;
    const int32_t blocks = selected & ~7;
    float x[POINTWISE_SELECTED_MAX];
    int32_t pixel, o, j;
    memset(filter_grad_out, 0, sizeof(float) * (size_t)(outputs * selected));
    for (pixel = 0; pixel < pixels; pixel++) {
        const int8_t *in = input + pixel * input_c;
        const float *gradients = acc_grad + pixel * output_c + first_output;
        for (o = 0; o < outputs && gradients[o] == 0.0f; o++) {
        }
        if (o == outputs) {
            continue; /* every term of this pixel is skipped: its inputs are not needed */
        }
        for (j = 0; j < selected; j++) {
            x[j] = (float)in[input_channels[j]] - zero_point;
        }
        for (; o < outputs; o++) {
            const float gradient = gradients[o];
            float *target = filter_grad_out + o * selected;
            if (gradient == 0.0f) {
                continue; /* +-0 terms on sums that start at +0: exact to skip (see input_grad) */
            }
            for (j = 0; j < blocks; j += 8) {
                mla8(target + j, x + j, gradient);
            }
            for (; j < selected; j++) {
                target[j] = tt_mla(target[j], gradient, x[j]);
            }
        }
    }
}

/* Each filter gradient adds its terms in (oy, ox) order; x - zp is exact in float32. The output channels
 * [first_output, first_output + outputs) only: each element is the whole gradient's, bit for bit (a fused update
 * takes the gradient a block at a time). Exactly one of input_q and input_f is set. */
static void filter_grad(const tt_conv2d_params *p, const int8_t *input_q, const float *input_f, float zero_point,
                        const float *acc_grad, const int32_t *input_channels, int32_t selected, int32_t first_output,
                        int32_t outputs, float *filter_grad_out)
{
    int32_t out_y, out_x, o, j;
    if (input_q != NULL && tt_conv2d_is_pointwise(p) && selected <= POINTWISE_SELECTED_MAX) {
        filter_grad_pointwise(p, input_q, zero_point, acc_grad, input_channels, selected, first_output, outputs,
                              filter_grad_out);
        return;
    }
    memset(filter_grad_out, 0, sizeof(float) * (size_t)(outputs * p->kernel_h * p->kernel_w * selected));
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            const float *gradients = acc_grad + (out_y * p->output_w + out_x) * p->output_c + first_output;
            tt_taps t = TT_TAPS(p, out_y, out_x);
            while (tt_taps_next(&t)) {
                int32_t pixel = t.pixel * p->input_c;
                for (o = 0; o < outputs; o++) {
                    float gradient = gradients[o];
                    float *target = filter_grad_out + (o * p->kernel_h * p->kernel_w + t.tap) * selected;
                    if (input_q != NULL) {
                        if (gradient == 0.0f) {
                            continue; /* +-0 terms on sums that start at +0: exact to skip (see input_grad) */
                        }
                        const int8_t *x = input_q + pixel;
                        for (j = 0; j < selected; j++) {
                            target[j] += gradient * ((float)x[input_channels[j]] - zero_point);
                        }
                    } else {
                        const float *x = input_f + pixel;
                        for (j = 0; j < selected; j++) {
                            target[j] += gradient * (x[input_channels[j]] - zero_point);
                        }
                    }
                }
            }
        }
    }
}

void tt_conv2d_filter_grad(const tt_conv2d_params *p, const int8_t *input, const float *acc_grad,
                           const int32_t *input_channels, int32_t selected, float *filter_grad_out)
{
    filter_grad(p, input, NULL, (float)p->input_zero_point, acc_grad, input_channels, selected, 0, p->output_c,
                filter_grad_out);
}

void tt_conv2d_filter_grad_float(const tt_conv2d_params *p, const float *input, const float *acc_grad,
                                 const int32_t *input_channels, int32_t selected, float *filter_grad_out)
{
    filter_grad(p, NULL, input, 0.0f, acc_grad, input_channels, selected, 0, p->output_c, filter_grad_out);
}

void tt_conv2d_filter_grad_window(const tt_conv2d_params *p, const int8_t *input, const float *acc_grad,
                                  const int32_t *input_channels, int32_t selected, int32_t first_output,
                                  int32_t outputs, float *filter_grad_out)
{
    filter_grad(p, input, NULL, (float)p->input_zero_point, acc_grad, input_channels, selected, first_output, outputs,
                filter_grad_out);
}

void tt_conv2d_filter_grad_window_float(const tt_conv2d_params *p, const float *input, const float *acc_grad,
                                        const int32_t *input_channels, int32_t selected, int32_t first_output,
                                        int32_t outputs, float *filter_grad_out)
{
    filter_grad(p, NULL, input, 0.0f, acc_grad, input_channels, selected, first_output, outputs, filter_grad_out);
}
