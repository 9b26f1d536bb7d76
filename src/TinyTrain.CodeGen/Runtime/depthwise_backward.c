/* DepthwiseConv2D's backward (DepthwiseConv2D.Backward.cs): the input gradient (a scatter, or gathered in
 * depthwise_backward_gathered.c) and the filter gradient of the trained channels, in the C# reference kernels' order. */
#include <string.h>

#include "tinytrain_internal.h"

/* A scatter: each input gradient adds its terms in (oy, ox, ky, kx, m) order. Exactly one of filter_q (int8) and
 * filter_f (fp32) is set. */
static void input_grad(const tt_depthwise_conv2d_params *p, const float *acc_grad, const int8_t *filter_q,
                       const float *filter_f, float *input_grad_out)
{
    int32_t out_y, out_x, in_channel, multiplier;
    int32_t channels = p->input_c * p->depth_multiplier;
    memset(input_grad_out, 0, sizeof(float) * (size_t)(p->input_h * p->input_w * p->input_c));
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            const float *gradients = acc_grad + (out_y * p->output_w + out_x) * channels;
            tt_taps t = TT_TAPS(p, out_y, out_x);
            while (tt_taps_next(&t)) {
                float *target = input_grad_out + t.pixel * p->input_c;
                int32_t taps = t.tap * channels;
                for (in_channel = 0; in_channel < p->input_c; in_channel++) {
                    for (multiplier = 0; multiplier < p->depth_multiplier; multiplier++) {
                        int32_t out_channel = in_channel * p->depth_multiplier + multiplier;
                        float gradient = gradients[out_channel];
                        if (filter_q != NULL) {
                            /* +-0 terms on sums that start at +0 (never -0): exact to skip; a float filter may hold an inf */
                            if (gradient != 0.0f) {
                                target[in_channel] += gradient * (float)filter_q[taps + out_channel];
                            }
                        } else {
                            target[in_channel] += gradient * filter_f[taps + out_channel];
                        }
                    }
                }
            }
        }
    }
}

void tt_depthwise_conv2d_input_grad(const tt_depthwise_conv2d_params *p, const float *acc_grad,
                                    const int8_t *filter, float *input_grad_out)
{
    if (tt_depthwise_input_grad_gathers(p)) {
        tt_depthwise_input_grad_gathered(p, acc_grad, filter, input_grad_out);
    } else {
        input_grad(p, acc_grad, filter, NULL, input_grad_out);
    }
}

void tt_depthwise_conv2d_input_grad_float(const tt_depthwise_conv2d_params *p, const float *acc_grad,
                                          const float *filter, float *input_grad_out)
{
    input_grad(p, acc_grad, NULL, filter, input_grad_out);
}

/* Each filter gradient adds its terms in (oy, ox) order (depth multiplier 1). Exactly one of input_q and input_f
 * is set. */
static void filter_grad(const tt_depthwise_conv2d_params *p, const int8_t *input_q, const float *input_f,
                        float zero_point, const float *acc_grad, const int32_t *channels, int32_t selected,
                        float *filter_grad_out)
{
    int32_t out_y, out_x, j;
    memset(filter_grad_out, 0, sizeof(float) * (size_t)(p->kernel_h * p->kernel_w * selected));
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            tt_taps t = TT_TAPS(p, out_y, out_x);
            while (tt_taps_next(&t)) {
                float *target = filter_grad_out + t.tap * selected;
                for (j = 0; j < selected; j++) {
                    int32_t channel = channels[j];
                    int32_t at = t.pixel * p->input_c + channel;
                    float gradient = acc_grad[(out_y * p->output_w + out_x) * p->input_c + channel];
                    if (input_q != NULL) {
                        if (gradient != 0.0f) { /* +-0 terms: exact to skip (see input_grad) */
                            target[j] += gradient * ((float)input_q[at] - zero_point);
                        }
                    } else {
                        target[j] += gradient * (input_f[at] - zero_point);
                    }
                }
            }
        }
    }
}

void tt_depthwise_conv2d_filter_grad(const tt_depthwise_conv2d_params *p, const int8_t *input,
                                     const float *acc_grad, const int32_t *channels, int32_t selected,
                                     float *filter_grad_out)
{
    filter_grad(p, input, NULL, (float)p->input_zero_point, acc_grad, channels, selected, filter_grad_out);
}

void tt_depthwise_conv2d_filter_grad_float(const tt_depthwise_conv2d_params *p, const float *input,
                                           const float *acc_grad, const int32_t *channels, int32_t selected,
                                           float *filter_grad_out)
{
    filter_grad(p, NULL, input, 0.0f, acc_grad, channels, selected, filter_grad_out);
}
