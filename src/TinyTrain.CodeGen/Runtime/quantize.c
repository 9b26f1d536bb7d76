/* Quantize (Quantize.cs): 8-bit requantisation, TFLite Micro's reference Requantize. */
#include "tinytrain_internal.h"

void tt_quantize_forward(const void *input, void *output, int32_t length, int32_t input_signed, int32_t output_signed,
                         int32_t input_zero_point, int32_t output_zero_point, int32_t multiplier, int32_t shift)
{
    const uint8_t *in = (const uint8_t *)input;
    uint8_t *out = (uint8_t *)output;
    int32_t min = output_signed ? -128 : 0, max = output_signed ? 127 : 255;
    int32_t i;
    for (i = 0; i < length; i++) {
        int32_t x = input_signed ? (int32_t)(int8_t)in[i] : (int32_t)in[i];
        int32_t y = tt_fixed_point_multiply_by_quantized_multiplier(x - input_zero_point, multiplier, shift) + output_zero_point;
        out[i] = (uint8_t)(y < min ? min : y > max ? max : y);
    }
}
