/* Bias (Bias.cs): g_bias[c] = sum over pixels of g_acc[pixel, c], each channel adding its pixels in order. */
#include <string.h>

#include "tinytrain_internal.h"

void tt_bias_grad(const float *acc_grad, int32_t length, int32_t channels, float *bias_grad)
{
    int32_t pixel, channel;
    memset(bias_grad, 0, sizeof(float) * (size_t)channels);
    for (pixel = 0; pixel < length / channels; pixel++) {
        for (channel = 0; channel < channels; channel++) {
            bias_grad[channel] += acc_grad[pixel * channels + channel];
        }
    }
}
