/* Sgd (Sgd.cs): SGD updates of dense tensors, float32 operations in a fixed order, each rounded once. */
#include <math.h>

#include "tinytrain_internal.h"

/* The scaled (and with momentum, accumulated) gradient of element i; updates the momentum. */
static float step_of(const float *grad, const float *qas, int32_t qas_count, int32_t channel_stride,
                     float *momentum, float beta, int32_t i)
{
    float g = grad[i];
    if (qas != NULL && qas_count > 0) {
        g *= qas[i / channel_stride % qas_count];
    }

    if (momentum != NULL) {
        g = beta * momentum[i] + g;
        momentum[i] = g;
    }

    return g;
}

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

void tt_sgd_update_int8_weights(int8_t *weights, int32_t length, const float *grad, const float *qas,
                                int32_t qas_count, int32_t channel_stride, float lr, float *momentum, float beta)
{
    int32_t i;
    for (i = 0; i < length; i++) {
        float step = step_of(grad, qas, qas_count, channel_stride, momentum, beta, i);
        float updated = (float)weights[i] - lr * step;
        if (!isnan(updated)) {
            weights[i] = tt_round_to_int8(updated);
        }
    }
}

void tt_sgd_update_int32_bias(int32_t *bias, int32_t length, const float *grad, const float *qas, float lr,
                              float *momentum, float beta)
{
    int32_t i;
    for (i = 0; i < length; i++) {
        bias[i] = tt_sgd_subtract_rounded(bias[i], lr * step_of(grad, qas, length, 1, momentum, beta, i));
    }
}

void tt_sgd_update_master(float *master, int32_t length, const float *grad, const float *qas, int32_t qas_count,
                          int32_t channel_stride, float lr, float *momentum, float beta)
{
    int32_t i;
    for (i = 0; i < length; i++) {
        master[i] -= lr * step_of(grad, qas, qas_count, channel_stride, momentum, beta, i);
    }
}

void tt_sgd_update_float(float *weights, int32_t length, const float *grad, float lr, float *momentum, float beta)
{
    tt_sgd_update_master(weights, length, grad, NULL, 0, 1, lr, momentum, beta);
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
