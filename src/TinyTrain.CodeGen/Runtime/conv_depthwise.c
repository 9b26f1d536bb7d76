/* ConvDepthwise (ConvDepthwise.cs): a frozen conv whose only reader is a depthwise conv (multiplier 1), two channels at a
 * time, so that only four channel planes of the conv's output exist (ConvDepthwise.Group). */
#include "tinytrain_internal.h"

void tt_conv_depthwise_forward(const tt_conv2d_params *conv, const tt_depthwise_conv2d_params *depthwise, const int8_t *input,
                               const int8_t *conv_filter, const int32_t *conv_bias, const int8_t *depthwise_filter,
                               const int32_t *depthwise_bias, int8_t *planes, int8_t *output)
{
    int32_t pixels = conv->output_h * conv->output_w, channel;
    for (channel = 0; channel < conv->output_c; channel += 4) {
        int32_t count = conv->output_c - channel < 4 ? conv->output_c - channel : 4, k;
        tt_conv2d_forward_planes(conv, input, conv_filter, conv_bias, channel, count, planes);
        for (k = 0; k < count; k++) {
            tt_depthwise_conv2d_forward_plane(depthwise, channel + k, planes + k * pixels, depthwise_filter, depthwise_bias, output);
        }
    }
}
