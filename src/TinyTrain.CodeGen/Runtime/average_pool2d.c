/* AveragePool2D (AveragePool2D.cs, .Backward.cs): int8 NHWC average pool over raw int8 values, its fp32 forward
 * and its backward. Padded positions count neither in the sum nor in the count. */
#include <string.h>

#include "tinytrain_internal.h"

/* TFLite's (sum +/- count / 2) / count with C's truncating division. */
static int32_t round_half_away_from_zero(int32_t sum, int32_t count)
{
    return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

void tt_average_pool2d_forward(const tt_pool_params *p, const int8_t *input, int8_t *output)
{
    int32_t out_y, out_x, channel, filter_y, filter_x;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            tt_pool_window w = tt_pool_window_at(p, out_y, out_x);
            for (channel = 0; channel < p->channels; channel++) {
                int32_t sum = 0; /* |sum| <= 128 * count: exact in int32 (and in float32 while count <= 2^17) */
                int32_t average;
                for (filter_y = w.y_start; filter_y < w.y_end; filter_y++) {
                    for (filter_x = w.x_start; filter_x < w.x_end; filter_x++) {
                        sum += input[tt_pool_input(p, &w, filter_y, filter_x, channel)];
                    }
                }

                average = p->rounding == TT_POOL_HALF_AWAY_FROM_ZERO
                    ? round_half_away_from_zero(sum, w.count)
                    : (int32_t)tt_round_half_even((float)sum / (float)w.count);
                average = average < p->act_min ? p->act_min : average > p->act_max ? p->act_max : average;
                output[(out_y * p->output_w + out_x) * p->channels + channel] = (int8_t)average;
            }
        }
    }
}

void tt_average_pool2d_backward(const tt_pool_params *p, const float *output_grad, float *input_grad)
{
    int32_t out_y, out_x, channel, filter_y, filter_x;
    memset(input_grad, 0, sizeof(float) * (size_t)(p->input_h * p->input_w * p->channels));
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            tt_pool_window w = tt_pool_window_at(p, out_y, out_x);
            for (channel = 0; channel < p->channels; channel++) {
                float share = output_grad[(out_y * p->output_w + out_x) * p->channels + channel] / (float)w.count;
                for (filter_y = w.y_start; filter_y < w.y_end; filter_y++) {
                    for (filter_x = w.x_start; filter_x < w.x_end; filter_x++) {
                        input_grad[tt_pool_input(p, &w, filter_y, filter_x, channel)] += share;
                    }
                }
            }
        }
    }
}

void tt_average_pool2d_forward_float(const tt_pool_params *p, const float *input, float *output)
{
    int32_t out_y, out_x, channel, filter_y, filter_x;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            tt_pool_window w = tt_pool_window_at(p, out_y, out_x);
            for (channel = 0; channel < p->channels; channel++) {
                float sum = 0.0f;
                for (filter_y = w.y_start; filter_y < w.y_end; filter_y++) {
                    for (filter_x = w.x_start; filter_x < w.x_end; filter_x++) {
                        sum += input[tt_pool_input(p, &w, filter_y, filter_x, channel)];
                    }
                }

                output[(out_y * p->output_w + out_x) * p->channels + channel] = sum / (float)w.count;
            }
        }
    }
}
