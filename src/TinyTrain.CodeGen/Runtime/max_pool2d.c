/* MaxPool2D (MaxPool2D.cs): int8 NHWC max pool over the in-image positions of each window (TFLite Micro's
 * reference_integer_ops::MaxPool), its fp32 forward and both backwards. A backward passes each output's gradient to the
 * first in-image position in scan order (filter row, then filter column, ascending) holding the window's max, and
 * passes nothing where the clamp changed the max. The pool's rounding is not read. */
#include <string.h>

#include "tinytrain_internal.h"

/* The largest in-image value of one channel of a window, from -128 up. */
static int32_t max_int8(const tt_pool_params *p, const int8_t *input, const tt_pool_window *w, int32_t channel)
{
    int32_t max = -128, filter_y, filter_x;
    for (filter_y = w->y_start; filter_y < w->y_end; filter_y++) {
        for (filter_x = w->x_start; filter_x < w->x_end; filter_x++) {
            int32_t value = input[tt_pool_input(p, w, filter_y, filter_x, channel)];
            if (value > max) {
                max = value;
            }
        }
    }

    return max;
}

/* The same in fp32, from -INFINITY up: a NaN never compares greater, so NaNs are skipped. */
static float max_float(const tt_pool_params *p, const float *input, const tt_pool_window *w, int32_t channel)
{
    float max = -INFINITY;
    int32_t filter_y, filter_x;
    for (filter_y = w->y_start; filter_y < w->y_end; filter_y++) {
        for (filter_x = w->x_start; filter_x < w->x_end; filter_x++) {
            float value = input[tt_pool_input(p, w, filter_y, filter_x, channel)];
            if (value > max) {
                max = value;
            }
        }
    }

    return max;
}

/* The input index of the first in-image position in scan order holding target (one does: target is the max). */
static int32_t first_int8(const tt_pool_params *p, const int8_t *input, const tt_pool_window *w, int32_t channel,
                          int32_t target)
{
    int32_t filter_y, filter_x;
    for (filter_y = w->y_start; filter_y < w->y_end; filter_y++) {
        for (filter_x = w->x_start; filter_x < w->x_end; filter_x++) {
            int32_t index = tt_pool_input(p, w, filter_y, filter_x, channel);
            if (input[index] == target) {
                return index;
            }
        }
    }

    return -1;
}

/* The same in fp32 (== equality: +0 and -0 tie); -1 for a window of NaNs only (its max, -INFINITY, is nowhere). */
static int32_t first_float(const tt_pool_params *p, const float *input, const tt_pool_window *w, int32_t channel,
                           float target)
{
    int32_t filter_y, filter_x;
    for (filter_y = w->y_start; filter_y < w->y_end; filter_y++) {
        for (filter_x = w->x_start; filter_x < w->x_end; filter_x++) {
            int32_t index = tt_pool_input(p, w, filter_y, filter_x, channel);
            if (input[index] == target) {
                return index;
            }
        }
    }

    return -1;
}

void tt_max_pool2d_forward(const tt_pool_params *p, const int8_t *input, int8_t *output)
{
    int32_t out_y, out_x, channel;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            tt_pool_window w = tt_pool_window_at(p, out_y, out_x);
            for (channel = 0; channel < p->channels; channel++) {
                int32_t max = max_int8(p, input, &w, channel);
                max = max < p->act_min ? p->act_min : max > p->act_max ? p->act_max : max;
                output[(out_y * p->output_w + out_x) * p->channels + channel] = (int8_t)max;
            }
        }
    }
}

void tt_max_pool2d_forward_float(const tt_pool_params *p, const float *input, float *output, float min, float max)
{
    int32_t out_y, out_x, channel;
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            tt_pool_window w = tt_pool_window_at(p, out_y, out_x);
            for (channel = 0; channel < p->channels; channel++) {
                float largest = max_float(p, input, &w, channel);
                output[(out_y * p->output_w + out_x) * p->channels + channel] =
                    largest < min ? min : largest > max ? max : largest;
            }
        }
    }
}

void tt_max_pool2d_backward(const tt_pool_params *p, const int8_t *input, const float *output_grad, float *input_grad)
{
    int32_t out_y, out_x, channel;
    memset(input_grad, 0, sizeof(float) * (size_t)(p->input_h * p->input_w * p->channels));
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            tt_pool_window w = tt_pool_window_at(p, out_y, out_x);
            for (channel = 0; channel < p->channels; channel++) {
                int32_t max = max_int8(p, input, &w, channel);
                if (max >= p->act_min && max <= p->act_max) { /* else the clamp changed it: no gradient */
                    input_grad[first_int8(p, input, &w, channel, max)] +=
                        output_grad[(out_y * p->output_w + out_x) * p->channels + channel];
                }
            }
        }
    }
}

void tt_max_pool2d_backward_float(const tt_pool_params *p, const float *input, const float *output_grad,
                                  float *input_grad, float min, float max)
{
    int32_t out_y, out_x, channel;
    memset(input_grad, 0, sizeof(float) * (size_t)(p->input_h * p->input_w * p->channels));
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            tt_pool_window w = tt_pool_window_at(p, out_y, out_x);
            for (channel = 0; channel < p->channels; channel++) {
                float largest = max_float(p, input, &w, channel);
                int32_t at = first_float(p, input, &w, channel, largest);
                if (largest >= min && largest <= max && at >= 0) {
                    input_grad[at] += output_grad[(out_y * p->output_w + out_x) * p->channels + channel];
                }
            }
        }
    }
}
