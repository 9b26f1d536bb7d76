/* Add (Add.cs, Add.Float.cs): elementwise int8 add in either requantisation mode and its fp32 forward. (Its
 * gradient is tt_requant_accumulator_grad per input, with the scale ratios as factors.) */
#include <math.h>
#include <string.h>

#include "tinytrain_internal.h"

/* Beyond +-2^20 the int8 output saturates anyway; clamping first keeps the int conversion defined. */
#define SATURATION 1048576.0f

/* (int)MathF.Round(Math.Clamp(value, -2^20, 2^20)): NaN passes the clamp and converts to 0 (.NET saturates). */
static int32_t round_half_even_saturated(float value)
{
    if (isnan(value)) {
        return 0;
    }

    value = value < -SATURATION ? -SATURATION : value > SATURATION ? SATURATION : value;
    return (int32_t)tt_round_half_even(value);
}

/* float32 throughout: t = (a - za) * sa + (b - zb) * sb; round_half_even(t / so) + zo (a true division). */
static int32_t add_float_unclamped(const tt_add_params *p, int32_t a, int32_t b)
{
    float term_a = (float)(a - p->zero_a) * p->scale_a;
    float term_b = (float)(b - p->zero_b) * p->scale_b;
    float quotient = (term_a + term_b) / p->scale_out;
    return tt_add32(round_half_even_saturated(quotient), p->zero_out);
}

/* TFLite AddFunc: both inputs shifted left, rescaled to a common scale, summed, rescaled. */
static int32_t add_fixed_point_unclamped(const tt_add_params *p, int32_t a, int32_t b)
{
    int32_t left = tt_wrap32((int64_t)1 << ((uint32_t)p->left_shift & 31u));
    int32_t shifted_a = tt_mul32(a - p->zero_a, left);
    int32_t shifted_b = tt_mul32(b - p->zero_b, left);
    int32_t scaled_a =
        tt_fixed_point_multiply_by_quantized_multiplier_smaller_than_one_exp(shifted_a, p->multiplier_a, p->shift_a);
    int32_t scaled_b =
        tt_fixed_point_multiply_by_quantized_multiplier_smaller_than_one_exp(shifted_b, p->multiplier_b, p->shift_b);
    int32_t raw_sum = tt_add32(scaled_a, scaled_b);
    return tt_add32(tt_fixed_point_multiply_by_quantized_multiplier_smaller_than_one_exp(raw_sum, p->multiplier_out,
                                                                                        p->shift_out),
                    p->zero_out);
}

/* The float mode without a mask: add_float_unclamped and the activation clamp with the clamp done on the quotient, before
 * rounding (rounding is monotonic and the bounds are integers, inside +-2^20: the same integer), and the rounding half to
 * even by adding 1.5 * 2^23 (see tt_channel_requantize_unclamped). A NaN quotient goes the reference's way. */
static void forward_float_clamped(const tt_add_params *p, const int8_t *a, const int8_t *b, int8_t *output)
{
    const int32_t zero_a = p->zero_a, zero_b = p->zero_b, zero_out = p->zero_out, length = p->length;
    const float scale_a = p->scale_a, scale_b = p->scale_b, scale_out = p->scale_out;
    const float low = (float)(p->act_min - zero_out), high = (float)(p->act_max - zero_out);
    const int8_t at_nan = (int8_t)(zero_out < p->act_min ? p->act_min : zero_out > p->act_max ? p->act_max : zero_out);
    int32_t i;
    for (i = 0; i < length; i++) {
        const float term_a = (float)(a[i] - zero_a) * scale_a, term_b = (float)(b[i] - zero_b) * scale_b;
        const float quotient = (term_a + term_b) / scale_out;
        union {
            float f;
            int32_t i;
        } bits;
        if (isnan(quotient)) {
            output[i] = at_nan;
            continue;
        }
        bits.f = TT_CLAMP_FLOAT(quotient, low, high) + 12582912.0f;
        output[i] = (int8_t)(bits.i - 0x4B400000 + zero_out);
    }
}

/* mask NULL records nothing. */
static void forward(const tt_add_params *p, const int8_t *a, const int8_t *b, int8_t *output, uint8_t *mask)
{
    int32_t i;
    if (p->mode == TT_REQUANT_FLOAT && mask == NULL && (int64_t)p->act_min - p->zero_out >= -(1 << 20) &&
        (int64_t)p->act_max - p->zero_out <= (1 << 20) && p->act_min <= p->act_max) {
        forward_float_clamped(p, a, b, output);
        return;
    }

    for (i = 0; i < p->length; i++) {
        int32_t value = p->mode == TT_REQUANT_FLOAT ? add_float_unclamped(p, a[i], b[i])
                                                    : add_fixed_point_unclamped(p, a[i], b[i]);
        if (value >= p->act_min && value <= p->act_max) {
            if (mask != NULL) {
                tt_clamp_mask_set(mask, i);
            }

            output[i] = (int8_t)value;
        } else {
            output[i] = (int8_t)(value < p->act_min ? p->act_min : p->act_max);
        }
    }
}

void tt_add_forward(const tt_add_params *p, const int8_t *a, const int8_t *b, int8_t *output)
{
    forward(p, a, b, output, NULL);
}

void tt_add_forward_with_mask(const tt_add_params *p, const int8_t *a, const int8_t *b, int8_t *output,
                              uint8_t *mask)
{
    memset(mask, 0, (size_t)tt_clamp_mask_byte_length(p->length));
    forward(p, a, b, output, mask);
}

void tt_add_forward_float(const float *a, const float *b, float *output, int32_t length, float min, float max)
{
    int32_t i;
    for (i = 0; i < length; i++) {
        output[i] = tt_clamp_mask_apply(a[i] + b[i], min, max, NULL, i);
    }
}

void tt_add_forward_float_with_mask(const float *a, const float *b, float *output, int32_t length, float min,
                                    float max, uint8_t *mask)
{
    int32_t i;
    memset(mask, 0, (size_t)tt_clamp_mask_byte_length(length));
    for (i = 0; i < length; i++) {
        output[i] = tt_clamp_mask_apply(a[i] + b[i], min, max, mask, i);
    }
}
