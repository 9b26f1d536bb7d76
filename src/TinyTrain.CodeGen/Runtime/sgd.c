/* Sgd (Sgd.cs): the rounding of an SGD step into int8 weights and int32 biases, shared by the slice updates. */
#include <math.h>

#include "tinytrain_internal.h"

int8_t tt_sgd_round_to_int8(float value)
{
    value = value < -127.0f ? -127.0f : value > 127.0f ? 127.0f : value;
    return (int8_t)tt_round_half_even(value);
}

/* Exact: with f = floor(step),
 * b - step = (b - f) - (step - f), and step - f <, =, > 1/2 is step <, =, > f + 1/2, exact in float32 while
 * |step| < 2^23 (beyond that step is an integer). */
int32_t tt_sgd_subtract_rounded(int32_t b, float step)
{
    float floor_step;
    int64_t result;
    if (isnan(step)) {
        return b;
    }

    /* Beyond +-2^33 the result saturates anyway. */
    step = step < -1099511627776.0f ? -1099511627776.0f : step > 1099511627776.0f ? 1099511627776.0f : step;
    floor_step = floorf(step);
    result = (int64_t)b - (int64_t)floor_step;
    if (fabsf(step) < 8388608.0f) {
        float half = floor_step + 0.5f;
        if (step > half || (step == half && (result & 1) != 0)) {
            result--;
        }
    }

    return result < INT32_MIN ? INT32_MIN : result > INT32_MAX ? INT32_MAX : (int32_t)result;
}

void tt_sgd_round_master_to_int8(const float *master, int32_t length, int8_t *weights)
{
    int32_t i;
    for (i = 0; i < length; i++) {
        weights[i] = isnan(master[i]) ? 0 : tt_sgd_round_to_int8(master[i]);
    }
}

void tt_sgd_round_master_to_int32(const float *master, int32_t length, int32_t *bias)
{
    int32_t i;
    for (i = 0; i < length; i++) {
        float value = master[i];
        bias[i] = isnan(value) ? 0
            : value >= 2147483648.0f ? INT32_MAX
            : value < -2147483648.0f ? INT32_MIN
            : (int32_t)tt_round_half_even(value);
    }
}
