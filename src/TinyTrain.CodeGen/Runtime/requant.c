/* Requant (Requant.cs): backward of requantisation and clamp, g_acc = g_y * scale[c] where the mask is 1. */
#include "tinytrain_internal.h"

/* Elements [i, i + 8) of one mask byte, scale s[k] (per_channel) or s[0]: a product where the bit is set, +0 elsewhere. */
TT_INLINE void byte_of(const float *g, const float *s, uint32_t bits, float *out, int per_channel)
{
#define ELEMENT(k) out[k] = (bits & (1u << (k))) != 0 ? g[k] * s[per_channel ? (k) : 0] : 0.0f
    ELEMENT(0), ELEMENT(1), ELEMENT(2), ELEMENT(3), ELEMENT(4), ELEMENT(5), ELEMENT(6), ELEMENT(7);
#undef ELEMENT
}

/* Eight elements a mask byte (all +0 when it is 0) while their scales are consecutive or one per tensor, unrolled; then
 * one element at a time, the channel walking with the index (no division per element). */
void tt_requant_accumulator_grad(const float *output_grad, const uint8_t *mask, const float *scale,
                                 int32_t scale_count, int32_t channels, int32_t length, float *acc_grad)
{
    const int32_t step = scale_count == 1 ? 0 : 1;
    int32_t i = 0, c = 0;
    if (step == 0 || channels % 8 == 0) {
        for (; i + 8 <= length; i += 8) {
            const uint32_t bits = mask[i >> 3];
            float *out = acc_grad + i;
            if (bits == 0) {
                out[0] = out[1] = out[2] = out[3] = out[4] = out[5] = out[6] = out[7] = 0.0f;
            } else if (step == 0) {
                byte_of(output_grad + i, scale, bits, out, 0);
            } else {
                byte_of(output_grad + i, scale + c, bits, out, 1);
            }
            c += 8 * step;
            c = c == channels ? 0 : c;
        }
    }
    for (; i < length; i++) {
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
