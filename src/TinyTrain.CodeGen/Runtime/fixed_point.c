/* FixedPoint (Quantization/FixedPoint.cs, FixedPoint.Exp.cs): gemmlowp / TFLite integer arithmetic.
 * C#'s int arithmetic wraps and masks shift counts (int: & 31, long: & 63); C's signed overflow and
 * over-wide shifts are undefined, so every operation that may wrap goes through the helpers in tinytrain_internal.h
 * (inline there: the requantisation of every output of a TFLite model calls them). */
#include "tinytrain_internal.h"

/* C#'s 1 << count for an int. */
static int32_t pow2(int32_t count) { return tt_wrap32((int64_t)1 << ((uint32_t)count & 31u)); }

int32_t tt_fixed_point_multiply_by_quantized_multiplier_smaller_than_one_exp(int32_t x, int32_t multiplier,
                                                                             int32_t left_shift)
{
    return tt_fixed_point_rounding_divide_by_pot(
        tt_fixed_point_saturating_rounding_doubling_high_mul(x, multiplier), tt_sub32(0, left_shift));
}

int32_t tt_fixed_point_multiply_by_quantized_multiplier_greater_than_one(int32_t x, int32_t multiplier,
                                                                         int32_t left_shift)
{
    return tt_fixed_point_saturating_rounding_doubling_high_mul(tt_mul32(x, pow2(left_shift)), multiplier);
}

int32_t tt_fixed_point_saturating_rounding_multiply_by_pot(int32_t x, int32_t exponent)
{
    int32_t threshold;
    if (exponent == 0) {
        return x;
    }

    if (exponent < 0) {
        return tt_fixed_point_rounding_divide_by_pot(x, tt_sub32(0, exponent));
    }

    threshold = tt_sub32(pow2(31 - exponent), 1);
    if (x > threshold) {
        return INT32_MAX;
    }

    return x < tt_sub32(0, threshold) ? INT32_MIN : tt_mul32(x, pow2(exponent));
}

int32_t tt_fixed_point_rescale(int32_t raw, int32_t src_integer_bits, int32_t dst_integer_bits)
{
    return tt_fixed_point_saturating_rounding_multiply_by_pot(raw, tt_sub32(src_integer_bits, dst_integer_bits));
}

int32_t tt_fixed_point_rounding_half_sum(int32_t a, int32_t b)
{
    int64_t sum = (int64_t)a + b;
    int64_t sign = sum >= 0 ? 1 : -1;
    return tt_wrap32((sum + sign) / 2);
}

int32_t tt_fixed_point_count_leading_zeros(uint32_t x)
{
    int32_t count = 0;
    if (x == 0u) {
        return 32;
    }

    while ((x & 0x80000000u) == 0u) {
        x <<= 1;
        count++;
    }

    return count;
}

#define SRDHM tt_fixed_point_saturating_rounding_doubling_high_mul
#define RDBP tt_fixed_point_rounding_divide_by_pot

int32_t tt_fixed_point_exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a)
{
    const int32_t constant_term = 1895147668; /* exp(-1/8) in Q0.31 */
    const int32_t constant_one_third = 715827883;
    int32_t x = tt_add32(a, 1 << 28); /* a + 1/8 */
    int32_t x2 = SRDHM(x, x);
    int32_t x3 = SRDHM(x2, x);
    int32_t x4 = SRDHM(x2, x2);
    int32_t x4_over_4 = RDBP(x4, 2);
    int32_t polynomial = RDBP(tt_add32(SRDHM(tt_add32(x4_over_4, x3), constant_one_third), x2), 1);
    return tt_add32(constant_term, SRDHM(constant_term, tt_add32(x, polynomial)));
}

/* Multiplies by exp(-2^exponent) when bit (fractional_bits + exponent) of -a's remainder is set. */
static int32_t barrel_step(int32_t result, int32_t remainder, int32_t integer_bits, int32_t fractional_bits,
                           int32_t exponent, int32_t multiplier)
{
    if (integer_bits <= exponent) {
        return result;
    }

    return (remainder & pow2(fractional_bits + exponent)) != 0 ? SRDHM(result, multiplier) : result;
}

int32_t tt_fixed_point_exp_on_negative_values(int32_t a, int32_t integer_bits)
{
    int32_t fractional_bits = 31 - integer_bits;
    int32_t one_quarter = pow2(fractional_bits - 2);
    int32_t mask = tt_sub32(one_quarter, 1);
    int32_t a_mod_quarter_minus_one_quarter = tt_sub32(a & mask, one_quarter);
    int32_t result = tt_fixed_point_exp_on_interval_between_negative_one_quarter_and_0_excl(
        tt_fixed_point_rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
    int32_t remainder = tt_sub32(a_mod_quarter_minus_one_quarter, a);

    result = barrel_step(result, remainder, integer_bits, fractional_bits, -2, 1672461947);
    result = barrel_step(result, remainder, integer_bits, fractional_bits, -1, 1302514674);
    result = barrel_step(result, remainder, integer_bits, fractional_bits, 0, 790015084);
    result = barrel_step(result, remainder, integer_bits, fractional_bits, 1, 290630308);
    result = barrel_step(result, remainder, integer_bits, fractional_bits, 2, 39332535);
    result = barrel_step(result, remainder, integer_bits, fractional_bits, 3, 720401);
    result = barrel_step(result, remainder, integer_bits, fractional_bits, 4, 242);

    if (integer_bits > 5) {
        int32_t clamp = tt_sub32(0, pow2(36 - integer_bits)); /* -32 in Q(integer_bits) */
        if (a < clamp) {
            result = 0;
        }
    }

    return a == 0 ? INT32_MAX : result;
}

int32_t tt_fixed_point_one_over_one_plus_x_for_x_in_0_to_1(int32_t a)
{
    const int32_t constant_48_over_17 = 1515870810;
    const int32_t constant_neg_32_over_17 = -1010580540;
    const int32_t one_q2 = 1 << 29;
    int32_t half_denominator = tt_fixed_point_rounding_half_sum(a, INT32_MAX);
    int32_t x = tt_add32(constant_48_over_17, SRDHM(half_denominator, constant_neg_32_over_17));
    int iteration;
    for (iteration = 0; iteration < 3; iteration++) {
        int32_t half_denominator_times_x = SRDHM(half_denominator, x);
        int32_t one_minus_half_denominator_times_x = tt_sub32(one_q2, half_denominator_times_x);
        /* Q2 * Q2 = Q4, rescaled back to Q2. */
        x = tt_add32(x, tt_fixed_point_rescale(SRDHM(x, one_minus_half_denominator_times_x), 4, 2));
    }

    /* x / 2 reinterpreted as Q1, then rescaled to Q0. */
    return tt_fixed_point_rescale(x, 1, 0);
}

int32_t tt_fixed_point_get_reciprocal(int32_t x, int32_t x_integer_digits, int32_t *num_bits_over_unit)
{
    int32_t headroom_plus_one = tt_fixed_point_count_leading_zeros((uint32_t)x);
    uint32_t shifted = ((uint32_t)x << ((uint32_t)headroom_plus_one & 31u)) - 0x80000000u;
    *num_bits_over_unit = tt_sub32(x_integer_digits, headroom_plus_one);
    return tt_fixed_point_one_over_one_plus_x_for_x_in_0_to_1(tt_wrap32((int64_t)shifted));
}
