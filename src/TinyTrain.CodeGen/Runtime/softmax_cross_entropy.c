/* SoftmaxCrossEntropy (SoftmaxCrossEntropy.cs): log-softmax + negative log-likelihood on fp32
 * logits, float32 throughout, sums left to right. */
#include <math.h>

#include "tinytrain_internal.h"

/* MathF.Max: IEEE 754-2019 maximum, NaN propagates and +0 > -0 (C's fmaxf drops NaN). */
static float max_of(float x, float y)
{
    if (x != y) {
        if (!isnan(x)) {
            return y < x ? x : y;
        }

        return x;
    }

    return signbit(y) ? x : y;
}

void tt_softmax_cross_entropy_dequantize(const int8_t *q, int32_t length, float scale, int32_t zero_point,
                                         float *real)
{
    int32_t i;
    for (i = 0; i < length; i++) {
        real[i] = (float)(q[i] - zero_point) * scale;
    }
}

float tt_softmax_cross_entropy_forward(const float *logits, int32_t length, int32_t label, float *logits_grad)
{
    float max, target, sum = 0.0f;
    int32_t i;
    if (length < 1 || label < 0 || label >= length) {
        return NAN;
    }

    max = logits[0];
    for (i = 0; i < length; i++) {
        max = max_of(max, logits[i]);
    }

    target = logits[label] - max; /* read before an in-place gradient overwrites it */
    for (i = 0; i < length; i++) {
        float e = expf(logits[i] - max);
        if (logits_grad != NULL) {
            logits_grad[i] = e;
        }

        sum += e;
    }

    if (logits_grad != NULL) {
        for (i = 0; i < length; i++) {
            logits_grad[i] /= sum;
        }

        logits_grad[label] -= 1.0f;
    }

    return logf(sum) - target;
}

int32_t tt_softmax_cross_entropy_predict(const float *logits, int32_t length)
{
    int32_t best = 0, i;
    for (i = 1; i < length; i++) {
        if (logits[i] > logits[best]) {
            best = i;
        }
    }

    return best;
}
