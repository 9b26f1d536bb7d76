/* Bias (Bias.cs): g_bias[c] = sum over pixels of g_acc[pixel, c], each channel adding its pixels in order. */
#include <string.h>

#include "tinytrain_internal.h"

/* Eight channels at a time, their sums in registers over all pixels (each still from +0, in pixel order). */
void tt_bias_grad(const float *acc_grad, int32_t length, int32_t channels, float *bias_grad)
{
    const int32_t pixels = length / channels;
    int32_t pixel, channel = 0;
    for (; channel + 8 <= channels; channel += 8) {
        const float *g = acc_grad + channel;
        float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f, a4 = 0.0f, a5 = 0.0f, a6 = 0.0f, a7 = 0.0f;
        for (pixel = 0; pixel < pixels; pixel++, g += channels) {
            a0 += g[0], a1 += g[1], a2 += g[2], a3 += g[3], a4 += g[4], a5 += g[5], a6 += g[6], a7 += g[7];
        }
        bias_grad[channel] = a0, bias_grad[channel + 1] = a1, bias_grad[channel + 2] = a2, bias_grad[channel + 3] = a3;
        bias_grad[channel + 4] = a4, bias_grad[channel + 5] = a5, bias_grad[channel + 6] = a6, bias_grad[channel + 7] = a7;
    }
    memset(bias_grad + channel, 0, sizeof(float) * (size_t)(channels - channel));
    for (pixel = 0; pixel < pixels; pixel++) {
        const float *g = acc_grad + pixel * channels;
        int32_t c;
        for (c = channel; c < channels; c++) {
            bias_grad[c] += g[c];
        }
    }
}
