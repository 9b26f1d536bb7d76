/* Requant (Requant.cs): backward of requantisation and clamp, g_acc = g_y * scale[c] where the mask is 1. */
#include "tinytrain_internal.h"

void tt_requant_accumulator_grad(const float *output_grad, const uint8_t *mask, const float *scale,
                                 int32_t scale_count, int32_t channels, int32_t length, float *acc_grad)
{
    int per_tensor = scale_count == 1;
    int32_t i;
    for (i = 0; i < length; i++) {
        acc_grad[i] = tt_clamp_mask_is_inside(mask, i) ? output_grad[i] * scale[per_tensor ? 0 : i % channels] : 0.0f;
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
