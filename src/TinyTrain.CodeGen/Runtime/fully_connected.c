/* FullyConnected (FullyConnected.cs, .Backward.cs, .Float.cs): int8 fully connected, filter
 * [OutputDepth, InputDepth], its fp32 forward and its backward, in the C# reference kernels' order. */
#include <string.h>

#include "tinytrain_internal.h"

/* mask NULL records nothing. */
static void forward(const tt_fully_connected_params *p, const int8_t *input, const int8_t *filter,
                    const int32_t *bias, int8_t *output, uint8_t *mask)
{
    int32_t batch, out_channel, depth;
    for (batch = 0; batch < p->batches; batch++) {
        for (out_channel = 0; out_channel < p->output_depth; out_channel++) {
            int64_t sum = 0;
            int32_t index;
            for (depth = 0; depth < p->input_depth; depth++) {
                int32_t input_value = input[batch * p->input_depth + depth];
                int32_t filter_value = filter[out_channel * p->input_depth + depth];
                sum += (filter_value - p->filter_zero_point) * (input_value - p->input_zero_point);
            }

            index = batch * p->output_depth + out_channel;
            output[index] = tt_requantizer_apply(&p->requant, bias, p->output_zero_point, p->act_min, p->act_max,
                                                 out_channel, sum, mask, index);
        }
    }
}

void tt_fully_connected_forward(const tt_fully_connected_params *p, const int8_t *input, const int8_t *filter,
                                const int32_t *bias, int8_t *output)
{
    forward(p, input, filter, bias, output, NULL);
}

void tt_fully_connected_forward_with_mask(const tt_fully_connected_params *p, const int8_t *input,
                                          const int8_t *filter, const int32_t *bias, int8_t *output, uint8_t *mask)
{
    memset(mask, 0, (size_t)tt_clamp_mask_byte_length(p->batches * p->output_depth));
    forward(p, input, filter, bias, output, mask);
}

/* The sum runs over i from 0.0f, then the bias is added. */
static void forward_float(const tt_fully_connected_params *p, const float *input, const float *filter,
                          const float *bias, float *output, float min, float max, uint8_t *mask)
{
    int32_t batch, out_channel, depth;
    for (batch = 0; batch < p->batches; batch++) {
        for (out_channel = 0; out_channel < p->output_depth; out_channel++) {
            float sum = 0.0f;
            int32_t index;
            for (depth = 0; depth < p->input_depth; depth++) {
                sum += filter[out_channel * p->input_depth + depth] * input[batch * p->input_depth + depth];
            }

            if (bias != NULL) {
                sum += bias[out_channel];
            }

            index = batch * p->output_depth + out_channel;
            output[index] = tt_clamp_mask_apply(sum, min, max, mask, index);
        }
    }
}

void tt_fully_connected_forward_float(const tt_fully_connected_params *p, const float *input, const float *filter,
                                      const float *bias, float *output, float min, float max)
{
    forward_float(p, input, filter, bias, output, min, max, NULL);
}

void tt_fully_connected_forward_float_with_mask(const tt_fully_connected_params *p, const float *input,
                                                const float *filter, const float *bias, float *output, float min,
                                                float max, uint8_t *mask)
{
    memset(mask, 0, (size_t)tt_clamp_mask_byte_length(p->batches * p->output_depth));
    forward_float(p, input, filter, bias, output, min, max, mask);
}

/* Each input gradient adds its terms in o order (W - zp is exact in float32). Exactly one of filter_q and filter_f
 * is set. */
static void input_grad(const tt_fully_connected_params *p, const float *acc_grad, const int8_t *filter_q,
                       const float *filter_f, float zero_point, float *input_grad_out)
{
    int32_t batch, out_channel, depth;
    memset(input_grad_out, 0, sizeof(float) * (size_t)(p->batches * p->input_depth));
    for (batch = 0; batch < p->batches; batch++) {
        for (out_channel = 0; out_channel < p->output_depth; out_channel++) {
            float gradient = acc_grad[batch * p->output_depth + out_channel];
            for (depth = 0; depth < p->input_depth; depth++) {
                int32_t w = out_channel * p->input_depth + depth;
                float filter_value = (filter_q != NULL ? (float)filter_q[w] : filter_f[w]) - zero_point;
                input_grad_out[batch * p->input_depth + depth] += gradient * filter_value;
            }
        }
    }
}

void tt_fully_connected_input_grad(const tt_fully_connected_params *p, const float *acc_grad, const int8_t *filter,
                                   float *input_grad_out)
{
    input_grad(p, acc_grad, filter, NULL, (float)p->filter_zero_point, input_grad_out);
}

void tt_fully_connected_input_grad_float(const tt_fully_connected_params *p, const float *acc_grad,
                                         const float *filter, float *input_grad_out)
{
    input_grad(p, acc_grad, NULL, filter, 0.0f, input_grad_out);
}

/* Each filter gradient adds its terms in batch order; output channels [first_output, first_output + outputs) only.
 * Exactly one of input_q and input_f is set. */
static void filter_grad(const tt_fully_connected_params *p, const int8_t *input_q, const float *input_f,
                        float zero_point, const float *acc_grad, const int32_t *input_channels, int32_t selected,
                        int32_t first_output, int32_t outputs, float *filter_grad_out)
{
    int32_t batch, o, j;
    memset(filter_grad_out, 0, sizeof(float) * (size_t)(outputs * selected));
    for (batch = 0; batch < p->batches; batch++) {
        for (o = 0; o < outputs; o++) {
            float gradient = acc_grad[batch * p->output_depth + first_output + o];
            float *target = filter_grad_out + o * selected;
            if (input_q != NULL) {
                const int8_t *x = input_q + batch * p->input_depth;
                for (j = 0; j < selected; j++) {
                    target[j] += gradient * ((float)x[input_channels[j]] - zero_point);
                }
            } else {
                const float *x = input_f + batch * p->input_depth;
                for (j = 0; j < selected; j++) {
                    target[j] += gradient * (x[input_channels[j]] - zero_point);
                }
            }
        }
    }
}

void tt_fully_connected_filter_grad(const tt_fully_connected_params *p, const int8_t *input, const float *acc_grad,
                                    const int32_t *input_channels, int32_t selected, float *filter_grad_out)
{
    filter_grad(p, input, NULL, (float)p->input_zero_point, acc_grad, input_channels, selected, 0, p->output_depth,
                filter_grad_out);
}

void tt_fully_connected_filter_grad_float(const tt_fully_connected_params *p, const float *input,
                                          const float *acc_grad, const int32_t *input_channels, int32_t selected,
                                          float *filter_grad_out)
{
    filter_grad(p, NULL, input, 0.0f, acc_grad, input_channels, selected, 0, p->output_depth, filter_grad_out);
}

void tt_fully_connected_filter_grad_window(const tt_fully_connected_params *p, const int8_t *input,
                                           const float *acc_grad, const int32_t *input_channels, int32_t selected,
                                           int32_t first_output, int32_t outputs, float *filter_grad_out)
{
    filter_grad(p, input, NULL, (float)p->input_zero_point, acc_grad, input_channels, selected, first_output, outputs,
                filter_grad_out);
}

void tt_fully_connected_filter_grad_window_float(const tt_fully_connected_params *p, const float *input,
                                                 const float *acc_grad, const int32_t *input_channels,
                                                 int32_t selected, int32_t first_output, int32_t outputs,
                                                 float *filter_grad_out)
{
    filter_grad(p, NULL, input, 0.0f, acc_grad, input_channels, selected, first_output, outputs, filter_grad_out);
}
