/* Elementwise (Elementwise.cs): fp32 kernels of the backward pass. */
#include <string.h>

#include "tinytrain_internal.h"

void tt_elementwise_add_in_place(float *target, const float *source, int32_t length)
{
    int32_t i;
    for (i = 0; i < length; i++) {
        target[i] += source[i];
    }
}

void tt_elementwise_add(const float *a, const float *b, float *output, int32_t length)
{
    memmove(output, a, sizeof(float) * (size_t)length); /* the executor's copy; a no-op when output is a */
    tt_elementwise_add_in_place(output, b, length);
}
