/* Softmax (Softmax.cs): TFLite Micro's int8 softmax (gemmlowp fixed-point exp, output scale 1/256, zp -128). */
#include "tinytrain_internal.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12

/* exp(beta * scale * difference) in Q0.31; difference <= 0 is first scaled into Q5.26. */
static int32_t exp_of(const tt_softmax_params *p, int32_t difference)
{
    int32_t scaled = tt_fixed_point_multiply_by_quantized_multiplier_greater_than_one(
        difference, p->input_multiplier, p->input_left_shift);
    return tt_fixed_point_exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS);
}

void tt_softmax_forward(const tt_softmax_params *p, const int8_t *input, int8_t *output)
{
    int32_t row, c;
    for (row = 0; row < p->rows; row++) {
        const int8_t *x = input + row * p->depth;
        int8_t *y = output + row * p->depth;
        int32_t max_in_row = -128;
        int32_t sum_of_exps = 0; /* Q12.19 */
        int32_t num_bits_over_unit, shifted_scale, exponent;
        for (c = 0; c < p->depth; c++) {
            max_in_row = x[c] > max_in_row ? x[c] : max_in_row;
        }

        for (c = 0; c < p->depth; c++) {
            int32_t difference = x[c] - max_in_row;
            if (difference >= p->diff_min) {
                sum_of_exps = tt_add32(sum_of_exps,
                                       tt_fixed_point_rescale(exp_of(p, difference), 0, ACCUMULATION_INTEGER_BITS));
            }
        }

        shifted_scale = tt_fixed_point_get_reciprocal(sum_of_exps, ACCUMULATION_INTEGER_BITS, &num_bits_over_unit);
        /* In [0, 31] for any row (C# checks it): the row max alone contributes exp(0) = 1. */
        exponent = num_bits_over_unit + 31 - 8;
        for (c = 0; c < p->depth; c++) {
            int32_t difference = x[c] - max_in_row;
            int32_t unsaturated;
            if (difference < p->diff_min) {
                y[c] = -128;
                continue;
            }

            unsaturated = tt_fixed_point_rounding_divide_by_pot(
                tt_fixed_point_saturating_rounding_doubling_high_mul(shifted_scale, exp_of(p, difference)), exponent);
            unsaturated = tt_add32(unsaturated, -128);
            y[c] = (int8_t)(unsaturated < -128 ? -128 : unsaturated > 127 ? 127 : unsaturated);
        }
    }
}
