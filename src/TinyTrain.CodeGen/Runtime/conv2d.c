/* Conv2D (Conv2D.cs, Conv2D.Backward.cs, Conv2D.Float.cs): int8 NHWC convolution, OHWI filter, its fp32
 * forward and its backward. Loops and float operation order are those of the C# reference kernels. */
#include <string.h>

#include "tinytrain.h"

static int outside(const tt_conv2d_params *p, int32_t in_y, int32_t in_x)
{
    return in_y < 0 || in_y >= p->input_h || in_x < 0 || in_x >= p->input_w;
}

static int32_t output_length(const tt_conv2d_params *p) { return p->output_h * p->output_w * p->output_c; }

/* mask NULL records nothing. */
static void forward(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                    int8_t *output, uint8_t *mask)
{
    int32_t out_y, out_x, out_channel, filter_y, filter_x, in_channel;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        int32_t in_y_origin = out_y * p->stride_h - p->pad_top;
        for (out_x = 0; out_x < p->output_w; out_x++) {
            int32_t in_x_origin = out_x * p->stride_w - p->pad_left;
            for (out_channel = 0; out_channel < p->output_c; out_channel++) {
                int64_t sum = 0; /* exact: the float mode adds the bias in int64 */
                int32_t index;
                for (filter_y = 0; filter_y < p->kernel_h; filter_y++) {
                    int32_t in_y = in_y_origin + p->dilation_h * filter_y;
                    for (filter_x = 0; filter_x < p->kernel_w; filter_x++) {
                        int32_t in_x = in_x_origin + p->dilation_w * filter_x;
                        const int8_t *x;
                        const int8_t *w;
                        if (outside(p, in_y, in_x)) {
                            continue; /* padded with the input zero point: contributes 0 */
                        }

                        x = input + (in_y * p->input_w + in_x) * p->input_c;
                        w = filter + ((out_channel * p->kernel_h + filter_y) * p->kernel_w + filter_x) * p->input_c;
                        for (in_channel = 0; in_channel < p->input_c; in_channel++) {
                            sum += (int32_t)w[in_channel] * ((int32_t)x[in_channel] - p->input_zero_point);
                        }
                    }
                }

                index = (out_y * p->output_w + out_x) * p->output_c + out_channel;
                output[index] = tt_requantizer_apply(&p->requant, bias, p->output_zero_point, p->act_min, p->act_max,
                                                     out_channel, sum, mask, index);
            }
        }
    }
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
    int32_t out_y, out_x, out_channel, filter_y, filter_x, in_channel;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        int32_t in_y_origin = out_y * p->stride_h - p->pad_top;
        for (out_x = 0; out_x < p->output_w; out_x++) {
            int32_t in_x_origin = out_x * p->stride_w - p->pad_left;
            for (out_channel = 0; out_channel < p->output_c; out_channel++) {
                float sum = 0.0f;
                int32_t index;
                for (filter_y = 0; filter_y < p->kernel_h; filter_y++) {
                    int32_t in_y = in_y_origin + p->dilation_h * filter_y;
                    for (filter_x = 0; filter_x < p->kernel_w; filter_x++) {
                        int32_t in_x = in_x_origin + p->dilation_w * filter_x;
                        const float *x;
                        const float *w;
                        if (outside(p, in_y, in_x)) {
                            continue;
                        }

                        x = input + (in_y * p->input_w + in_x) * p->input_c;
                        w = filter + ((out_channel * p->kernel_h + filter_y) * p->kernel_w + filter_x) * p->input_c;
                        for (in_channel = 0; in_channel < p->input_c; in_channel++) {
                            sum += w[in_channel] * x[in_channel];
                        }
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

/* A scatter: each input gradient adds its terms in (oy, ox, oc, ky, kx) order, one rounding for the product and
 * one for the sum. Exactly one of filter_q (int8) and filter_f (fp32) is set. */
static void input_grad(const tt_conv2d_params *p, const float *acc_grad, const int8_t *filter_q,
                       const float *filter_f, float *input_grad)
{
    int32_t out_y, out_x, out_channel, filter_y, filter_x, in_channel;
    memset(input_grad, 0, sizeof(float) * (size_t)(p->input_h * p->input_w * p->input_c));
    for (out_y = 0; out_y < p->output_h; out_y++) {
        int32_t in_y_origin = out_y * p->stride_h - p->pad_top;
        for (out_x = 0; out_x < p->output_w; out_x++) {
            int32_t in_x_origin = out_x * p->stride_w - p->pad_left;
            for (out_channel = 0; out_channel < p->output_c; out_channel++) {
                float gradient = acc_grad[(out_y * p->output_w + out_x) * p->output_c + out_channel];
                for (filter_y = 0; filter_y < p->kernel_h; filter_y++) {
                    int32_t in_y = in_y_origin + p->dilation_h * filter_y;
                    for (filter_x = 0; filter_x < p->kernel_w; filter_x++) {
                        int32_t in_x = in_x_origin + p->dilation_w * filter_x;
                        int32_t w = ((out_channel * p->kernel_h + filter_y) * p->kernel_w + filter_x) * p->input_c;
                        float *target;
                        if (outside(p, in_y, in_x)) {
                            continue;
                        }

                        target = input_grad + (in_y * p->input_w + in_x) * p->input_c;
                        for (in_channel = 0; in_channel < p->input_c; in_channel++) {
                            float filter_value = filter_q != NULL ? (float)filter_q[w + in_channel] : filter_f[w + in_channel];
                            target[in_channel] += gradient * filter_value;
                        }
                    }
                }
            }
        }
    }
}

void tt_conv2d_input_grad(const tt_conv2d_params *p, const float *acc_grad, const int8_t *filter, float *input_grad_out)
{
    input_grad(p, acc_grad, filter, NULL, input_grad_out);
}

void tt_conv2d_input_grad_float(const tt_conv2d_params *p, const float *acc_grad, const float *filter,
                                float *input_grad_out)
{
    input_grad(p, acc_grad, NULL, filter, input_grad_out);
}

/* Each filter gradient adds its terms in (oy, ox) order. x - zp is exact in float32, so the int8 kernel is the
 * fp32 one on the float copy of x - zp. Exactly one of input_q and input_f is set. */
/* The output channels [first_output, first_output + outputs) only; each element is the whole gradient's, bit for
 * bit (a fused update takes the gradient a block at a time). Exactly one of input_q and input_f is set. */
static void filter_grad(const tt_conv2d_params *p, const int8_t *input_q, const float *input_f, float zero_point,
                        const float *acc_grad, const int32_t *input_channels, int32_t selected, int32_t first_output,
                        int32_t outputs, float *filter_grad_out)
{
    int32_t out_y, out_x, o, filter_y, filter_x, j;
    memset(filter_grad_out, 0, sizeof(float) * (size_t)(outputs * p->kernel_h * p->kernel_w * selected));
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            const float *gradients = acc_grad + (out_y * p->output_w + out_x) * p->output_c + first_output;
            for (filter_y = 0; filter_y < p->kernel_h; filter_y++) {
                int32_t in_y = out_y * p->stride_h - p->pad_top + p->dilation_h * filter_y;
                for (filter_x = 0; filter_x < p->kernel_w; filter_x++) {
                    int32_t in_x = out_x * p->stride_w - p->pad_left + p->dilation_w * filter_x;
                    int32_t pixel = (in_y * p->input_w + in_x) * p->input_c;
                    if (outside(p, in_y, in_x)) {
                        continue;
                    }

                    for (o = 0; o < outputs; o++) {
                        float gradient = gradients[o];
                        float *target = filter_grad_out + ((o * p->kernel_h + filter_y) * p->kernel_w + filter_x) * selected;
                        if (input_q != NULL) {
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
