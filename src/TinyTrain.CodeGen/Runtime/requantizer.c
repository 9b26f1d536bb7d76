/* Requantizer (Quantization/Requantizer.cs): one output channel's accumulator to int8, in either mode. */
#include <float.h>
#include <math.h>

#include "tinytrain_internal.h"

#if defined(__FAST_MATH__)
#error "the TinyTrain runtime must not be compiled with -ffast-math: its float results must match the host's"
#endif
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "the TinyTrain runtime needs float arithmetic evaluated in float (FLT_EVAL_METHOD 0)"
#endif

/* Beyond +-2^20 the int8 output saturates anyway; clamping first keeps the int conversion defined. */
#define SATURATION 1048576.0f

float tt_round_half_even(float value) { return rintf(value); /* nearest-even in the default rounding mode */ }

int32_t tt_requantizer_round_float(int64_t acc, float scale)
{
    /* One rounding of the exact integer (an int32 converts in hardware on a Cortex-M, to the same float), then
     * one float32 multiply. */
    float value = (acc >= INT32_MIN && acc <= INT32_MAX ? (float)(int32_t)acc : (float)acc) * scale;
    value = value > SATURATION ? SATURATION : value < -SATURATION ? -SATURATION : value;
    return (int32_t)tt_round_half_even(value);
}

int8_t tt_requantizer_apply(const tt_requantization *requant, const int32_t *bias, int32_t zero_point, int32_t min,
                            int32_t max, int32_t channel, int64_t sum, uint8_t *mask, int32_t index)
{
    return tt_requantize(requant, bias, zero_point, min, max, channel, sum, mask, index);
}
