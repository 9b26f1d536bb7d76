/* SgdSlice (SgdSlice.cs): the SGD step of Sgd on the trained slice of a parameter, scattered through a
 * SliceLayout. The rounding is Sgd's (shared helpers). */
#include <math.h>

#include "tinytrain_internal.h"

/* Where gradient element e goes, walked element by element without a division for the parameter: the layout's
 * channel j of block `base` (blocks of `inner` parameters), and the QAS entry. */
typedef struct {
    int32_t j, base;
} cursor;

static int32_t parameter_index(const tt_slice_layout *layout, const cursor *at)
{
    return at->base + layout->channels[at->j];
}

static int32_t qas_index(const tt_slice_layout *layout, const cursor *at, int32_t e)
{
    return layout->qas_stride > 0 ? e / layout->qas_stride : layout->channels[at->j];
}

static void advance(const tt_slice_layout *layout, cursor *at)
{
    if (++at->j == layout->channel_count) {
        at->j = 0;
        at->base += layout->inner;
    }
}

/* grad * qas, then with a velocity v = beta * v + step. */
static float step_of(const float *grad, const float *qas, const tt_slice_layout *layout, const cursor *at,
                     float *velocity, float beta, int32_t e)
{
    float step = grad[e] * qas[qas_index(layout, at, e)];
    if (velocity == NULL) {
        return step;
    }

    step = beta * velocity[e] + step;
    velocity[e] = step;
    return step;
}

/* The layout is copied: the int8 stores could otherwise alias it, and its fields would be reloaded every element. */
void tt_sgd_slice_update_int8(int8_t *weights, const float *grad, int32_t grad_length, const float *qas,
                              const tt_slice_layout *layout, float lr, float *velocity, float beta)
{
    const tt_slice_layout copy = *layout;
    cursor at = {0, 0};
    int32_t e;
    for (e = 0; e < grad_length; e++, advance(&copy, &at)) {
        int32_t i = parameter_index(&copy, &at);
        float updated = (float)weights[i] - lr * step_of(grad, qas, &copy, &at, velocity, beta, e);
        if (!isnan(updated)) {
            weights[i] = tt_round_to_int8(updated);
        }
    }
}

void tt_sgd_slice_update_int32(int32_t *bias, const float *grad, int32_t grad_length, const float *qas,
                               const tt_slice_layout *layout, float lr, float *velocity, float beta)
{
    cursor at = {0, 0};
    int32_t e;
    for (e = 0; e < grad_length; e++, advance(layout, &at)) {
        int32_t i = parameter_index(layout, &at);
        bias[i] = tt_sgd_subtract_rounded(bias[i], lr * step_of(grad, qas, layout, &at, velocity, beta, e));
    }
}

void tt_sgd_slice_update_master(float *master, const float *grad, int32_t grad_length, const float *qas,
                                const tt_slice_layout *layout, float lr, float *velocity, float beta)
{
    cursor at = {0, 0};
    int32_t e;
    for (e = 0; e < grad_length; e++, advance(layout, &at)) {
        int32_t i = parameter_index(layout, &at);
        master[i] = master[i] - lr * step_of(grad, qas, layout, &at, velocity, beta, e);
    }
}

void tt_sgd_slice_update_float(float *weights, const float *grad, int32_t grad_length, const float *qas,
                               const tt_slice_layout *layout, float lr, float *velocity, float beta)
{
    tt_sgd_slice_update_master(weights, grad, grad_length, qas, layout, lr, velocity, beta);
}

/* Rounds the sliced entries of master into exactly one of weights (int8) and bias (int32). */
TT_INLINE void round_to(const float *master, int8_t *weights, int32_t *bias, const tt_slice_layout *layout,
                     int32_t grad_length)
{
    cursor at = {0, 0};
    int32_t e;
    for (e = 0; e < grad_length; e++, advance(layout, &at)) {
        int32_t i = parameter_index(layout, &at);
        if (weights != NULL) {
            tt_sgd_round_master_to_int8(&master[i], 1, &weights[i]);
        } else {
            tt_sgd_round_master_to_int32(&master[i], 1, &bias[i]);
        }
    }
}

void tt_sgd_slice_round_to_int8(const float *master, int8_t *weights, const tt_slice_layout *layout,
                                int32_t grad_length)
{
    round_to(master, weights, NULL, layout, grad_length);
}

void tt_sgd_slice_round_to_int32(const float *master, int32_t *bias, const tt_slice_layout *layout,
                                 int32_t grad_length)
{
    round_to(master, NULL, bias, layout, grad_length);
}
