/*
 * TinyTrain C runtime, internal: what the kernels share (requantisation, gemmlowp fixed-point arithmetic, clamp-mask
 * bits, int32 wrapping, window ranges). Callable on their own (the parity tests do); a program that only calls the
 * kernels includes tinytrain.h alone.
 */
#ifndef TINYTRAIN_INTERNAL_H
#define TINYTRAIN_INTERNAL_H

#include <math.h>

#include "tinytrain.h"

#ifdef __cplusplus
extern "C" {
#endif

/* For the small helpers of the hot loops: GCC does not always inline a static function that is called from several places. */
#if defined(__GNUC__)
#define TT_INLINE static inline __attribute__((always_inline))
#else
#define TT_INLINE static inline
#endif

/* ---------------------------------------------------------------------------------------------------------
 * Shared helpers (ClampMask, Requantizer, FixedPoint): used by the kernels, callable on their own.
 * ------------------------------------------------------------------------------------------------------- */

/* ceil(elements / 8). */
int32_t tt_clamp_mask_byte_length(int32_t elements);
int tt_clamp_mask_is_inside(const uint8_t *mask, int32_t index);
void tt_clamp_mask_set(uint8_t *mask, int32_t index);
/* The fp32 clamp: value inside [min, max] sets bit index (mask NULL: none) and passes; NaN passes with bit 0. */
float tt_clamp_mask_apply(float value, float min, float max, uint8_t *mask, int32_t index);

/* One output channel's requantisation: clamp(requant(sum + bias[channel]) + zero_point, min, max); bias NULL: none.
 * Sets mask bit index when the pre-clamp value is inside [min, max] (mask NULL: none). */
int8_t tt_requantizer_apply(const tt_requantization *requant, const int32_t *bias, int32_t zero_point, int32_t min,
                            int32_t max, int32_t channel, int64_t sum, uint8_t *mask, int32_t index);
/* round_half_even((float)acc * scale), the float product first clamped to +-2^20. */
int32_t tt_requantizer_round_float(int64_t acc, float scale);

/* gemmlowp / TFLite fixed-point arithmetic (two's complement wrapping where C# wraps). */
int32_t tt_fixed_point_saturating_rounding_doubling_high_mul(int32_t a, int32_t b);
int32_t tt_fixed_point_rounding_divide_by_pot(int32_t x, int32_t exponent);
int32_t tt_fixed_point_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift);
int32_t tt_fixed_point_multiply_by_quantized_multiplier_smaller_than_one_exp(int32_t x, int32_t multiplier,
                                                                             int32_t left_shift);
int32_t tt_fixed_point_multiply_by_quantized_multiplier_greater_than_one(int32_t x, int32_t multiplier,
                                                                         int32_t left_shift);
int32_t tt_fixed_point_saturating_rounding_multiply_by_pot(int32_t x, int32_t exponent);
int32_t tt_fixed_point_rescale(int32_t raw, int32_t src_integer_bits, int32_t dst_integer_bits);
int32_t tt_fixed_point_rounding_half_sum(int32_t a, int32_t b);
int32_t tt_fixed_point_count_leading_zeros(uint32_t x);
int32_t tt_fixed_point_exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a);
int32_t tt_fixed_point_exp_on_negative_values(int32_t a, int32_t integer_bits);
int32_t tt_fixed_point_one_over_one_plus_x_for_x_in_0_to_1(int32_t a);
int32_t tt_fixed_point_get_reciprocal(int32_t x, int32_t x_integer_digits, int32_t *num_bits_over_unit);

/* Two's complement int32 arithmetic without C's signed-overflow undefined behaviour (C#'s unchecked int). */
int32_t tt_wrap32(int64_t value);
int32_t tt_add32(int32_t a, int32_t b);
int32_t tt_sub32(int32_t a, int32_t b);
int32_t tt_mul32(int32_t a, int32_t b);
/* x >> (count & 31) with sign extension (C#'s int >>, defined in C for negative x). */
int32_t tt_asr32(int32_t x, int32_t count);
/* round half to even of a float (MathF.Round), in the default rounding mode. */
float tt_round_half_even(float value);

/* tt_requantizer_apply, inline: the kernels call it once per output, where a call costs as much as the arithmetic. */
static inline int8_t tt_requantize(const tt_requantization *requant, const int32_t *bias, int32_t zero_point, int32_t min,
                                   int32_t max, int32_t channel, int64_t sum, uint8_t *mask, int32_t index)
{
    int32_t q = requant->count == 1 ? 0 : channel;
    int64_t acc = bias == NULL ? sum : sum + bias[channel]; /* int64: saturated biases push the total past int32 */
    int32_t value;
    uint32_t bits;
    if (requant->mode == TT_REQUANT_FLOAT) {
        /* One rounding of the exact integer (an int32 converts in hardware, to the same float), one float multiply,
         * clamped to +-2^20 (beyond it the int8 output saturates anyway), rounded half to even. */
        float real = (acc >= INT32_MIN && acc <= INT32_MAX ? (float)(int32_t)acc : (float)acc) * requant->scale[q];
        real = real > 1048576.0f ? 1048576.0f : real < -1048576.0f ? -1048576.0f : real;
        value = (int32_t)rintf(real);
    } else {
        /* TFLite accumulates in wrapping int32: only acc mod 2^32 matters. */
        value = tt_fixed_point_multiply_by_quantized_multiplier(tt_wrap32(acc), requant->multiplier[q], requant->shift[q]);
    }

    /* value + zero_point wrapping as C#'s int (only the fixed-point path can come near the limits). */
    bits = (uint32_t)value + (uint32_t)zero_point;
    value = bits <= 0x7FFFFFFFu ? (int32_t)bits : (int32_t)(bits - 0x80000000u) - INT32_MAX - 1;
    if (value >= min && value <= max) {
        if (mask != NULL) {
            mask[index >> 3] |= (uint8_t)(1u << (index & 7));
        }

        return (int8_t)value;
    }

    return (int8_t)(value < min ? min : max);
}

/* The taps of a window that fall inside the input: [*first, *last) of 0..kernel, for a window starting at origin
 * with the given dilation over an extent of input. */
TT_INLINE void tt_window(int32_t origin, int32_t dilation, int32_t kernel, int32_t extent, int32_t *first, int32_t *last)
{
    int32_t lo = 0, hi = kernel;
    while (lo < kernel && origin + dilation * lo < 0) {
        lo++;
    }
    while (hi > lo && origin + dilation * (hi - 1) >= extent) {
        hi--;
    }
    *first = lo;
    *last = hi;
}

#ifdef __cplusplus
}
#endif

#endif /* TINYTRAIN_INTERNAL_H */
