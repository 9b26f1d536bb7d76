/* Pad (Pad.cs): constant pad of an NHWC int8 tensor with its zero point. */
#include <string.h>

#include "tinytrain_internal.h"

void tt_pad_forward(const tt_pad_params *p, const int8_t *input, int8_t *output)
{
    int32_t output_h = p->input_h + p->pad_top + p->pad_bottom;
    int32_t output_w = p->input_w + p->pad_left + p->pad_right;
    int32_t output_c = p->input_c + p->pad_channels_before + p->pad_channels_after;
    int32_t in_y, in_x;
    memset(output, (uint8_t)p->pad_value, (size_t)(output_h * output_w * output_c));
    for (in_y = 0; in_y < p->input_h; in_y++) {
        for (in_x = 0; in_x < p->input_w; in_x++) {
            int32_t out_offset = ((in_y + p->pad_top) * output_w + in_x + p->pad_left) * output_c + p->pad_channels_before;
            memmove(output + out_offset, input + (in_y * p->input_w + in_x) * p->input_c, (size_t)p->input_c);
        }
    }
}

void tt_pad_forward_float(const tt_pad_params *p, const float *input, float *output)
{
    int32_t output_h = p->input_h + p->pad_top + p->pad_bottom;
    int32_t output_w = p->input_w + p->pad_left + p->pad_right;
    int32_t output_c = p->input_c + p->pad_channels_before + p->pad_channels_after;
    int32_t in_y, in_x, i;
    for (i = 0; i < output_h * output_w * output_c; i++) {
        output[i] = 0.0f;
    }
    for (in_y = 0; in_y < p->input_h; in_y++) {
        for (in_x = 0; in_x < p->input_w; in_x++) {
            int32_t out_offset = ((in_y + p->pad_top) * output_w + in_x + p->pad_left) * output_c + p->pad_channels_before;
            memmove(output + out_offset, input + (in_y * p->input_w + in_x) * p->input_c, (size_t)p->input_c * sizeof(float));
        }
    }
}

void tt_pad_backward(const tt_pad_params *p, const float *output_grad, float *input_grad)
{
    int32_t output_w = p->input_w + p->pad_left + p->pad_right;
    int32_t output_c = p->input_c + p->pad_channels_before + p->pad_channels_after;
    int32_t in_y, in_x;
    for (in_y = 0; in_y < p->input_h; in_y++) {
        for (in_x = 0; in_x < p->input_w; in_x++) {
            int32_t out_offset = ((in_y + p->pad_top) * output_w + in_x + p->pad_left) * output_c + p->pad_channels_before;
            memmove(input_grad + (in_y * p->input_w + in_x) * p->input_c, output_grad + out_offset, (size_t)p->input_c * sizeof(float));
        }
    }
}
