/* Mean (Mean.cs): int8 mean over H and W as TFLite Micro's reference_ops::QuantizedMeanOrSum computes it. */
#include <string.h>

#include "tinytrain_internal.h"

void tt_mean_forward(const tt_mean_params *p, const int8_t *input, int8_t *output)
{
    int32_t count = p->input_h * p->input_w;
    int32_t log2 = 0;
    int32_t multiplier, shift, channel, y, x;
    if (count == 0) {
        memset(output, 0, (size_t)p->channels); /* TFLite leaves the zero-initialised output of an empty reduction */
        return;
    }

    /* Fold 1 / count into the multiplier: shift by floor(log2 count), at most 32 and at most 31 + shift. */
    while ((count >> (log2 + 1)) != 0) {
        log2++;
    }

    log2 = log2 < 32 ? log2 : 32;
    log2 = log2 < 31 + p->shift ? log2 : 31 + p->shift;
    /* |multiplier| * 2^32 < 2^63: the product cannot overflow. */
    multiplier = tt_wrap32((int64_t)p->multiplier * ((int64_t)1 << log2) / count);
    shift = p->shift - log2;

    for (channel = 0; channel < p->channels; channel++) {
        int32_t sum = 0;
        int32_t centered, value;
        for (y = 0; y < p->input_h; y++) {
            for (x = 0; x < p->input_w; x++) {
                sum += input[(y * p->input_w + x) * p->channels + channel];
            }
        }

        /* TFLite subtracts n * zp in int64 and narrows to int32 (wrapping). */
        centered = tt_wrap32(sum - (int64_t)p->input_zero_point * count);
        value = tt_add32(tt_fixed_point_multiply_by_quantized_multiplier(centered, multiplier, shift),
                         p->output_zero_point);
        output[channel] = (int8_t)(value < -128 ? -128 : value > 127 ? 127 : value);
    }
}

void tt_mean_forward_float(int32_t height, int32_t width, int32_t channels, const float *input, float *output)
{
    int32_t count = height * width;
    int32_t channel, i;
    for (channel = 0; channel < channels; channel++) {
        float sum = 0.0f;
        for (i = 0; i < count; i++) {
            sum += input[i * channels + channel];
        }
        output[channel] = sum / (float)count;
    }
}

void tt_mean_backward(int32_t positions, int32_t channels, float scale, const float *gradient, float *output)
{
    int32_t i, channel;
    for (i = 0; i < positions; i++) {
        for (channel = 0; channel < channels; channel++) {
            output[i * channels + channel] = gradient[channel] * scale;
        }
    }
}
