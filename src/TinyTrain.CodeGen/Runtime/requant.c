/* Requant (Requant.cs): backward of requantisation and clamp, g_acc = g_y * scale[c] where the mask is 1. */
#include "tinytrain_internal.h"

/* The channel walks with the index (no division per element) and the mask is read a byte at a time. */
void tt_requant_accumulator_grad(const float *output_grad, const uint8_t *mask, const float *scale,
                                 int32_t scale_count, int32_t channels, int32_t length, float *acc_grad)
{
    const int32_t step = scale_count == 1 ? 0 : 1;
    int32_t i, c = 0;
    for (i = 0; i < length; i++) {
        const float product = output_grad[i] * scale[c];
        acc_grad[i] = ((mask[i >> 3] >> (i & 7)) & 1) != 0 ? product : 0.0f;
        c += step;
        c = c == channels ? 0 : c;
    }
}

void tt_requant_scale_grad(const float *output_grad, const float *scale, int32_t scale_count, int32_t channels,
                           int32_t length, float *acc_grad)
{
    int per_tensor = scale_count == 1;
    int32_t i;
    for (i = 0; i < length; i++) {
        acc_grad[i] = output_grad[i] * scale[per_tensor ? 0 : i % channels];
    }
}
