/* DepthwiseConv2D (DepthwiseConv2D.cs, .Float.cs): int8 NHWC depthwise convolution, filter [1, KH, KW, C * M], and its
 * fp32 forward, in the C# reference kernels' order; the backward is depthwise_backward.c. */
#include <string.h>

#include "tinytrain_internal.h"

static int32_t output_c(const tt_depthwise_conv2d_params *p) { return p->input_c * p->depth_multiplier; }

static int32_t output_length(const tt_depthwise_conv2d_params *p)
{
    return p->output_h * p->output_w * output_c(p);
}

/* mask NULL records nothing. The plain loops with an int64 sum: used when an int32 sum could overflow. */
static void forward_int64(const tt_depthwise_conv2d_params *p, const int8_t *input, const int8_t *filter,
                    const int32_t *bias, int8_t *output, uint8_t *mask)
{
    int32_t out_y, out_x, in_channel, multiplier;
    int32_t channels = output_c(p);
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            for (in_channel = 0; in_channel < p->input_c; in_channel++) {
                for (multiplier = 0; multiplier < p->depth_multiplier; multiplier++) {
                    int32_t out_channel = in_channel * p->depth_multiplier + multiplier;
                    int64_t sum = 0;
                    int32_t index;
                    tt_taps t = TT_TAPS(p, out_y, out_x); /* padded taps hold the input zero point: they contribute 0 */
                    while (tt_taps_next(&t)) {
                        int32_t input_value = input[t.pixel * p->input_c + in_channel];
                        int32_t filter_value = filter[t.tap * channels + out_channel];
                        sum += filter_value * (input_value - p->input_zero_point);
                    }

                    index = (out_y * p->output_w + out_x) * channels + out_channel;
                    output[index] = tt_requantize(&p->requant, bias, p->output_zero_point, p->act_min,
                                                         p->act_max, out_channel, sum, mask, index);
                }
            }
        }
    }
}

/* |w * (x - zp)| <= 128 * 255, so up to this many terms sum exactly in an int32: the same integer as the int64 sum. */
#define INT32_EXACT_TERMS 65793

/* One input channel gathered with the zero point around it, a strip of output rows at a time, into this many bytes on
 * the stack, so that every window lies inside the strip (tt_depthwise_plane_interior): no output needs the border's
 * bounds checks. */
#define GATHER_MAX_BYTES 1024

/* Output rows per strip, and the strip's width in *strip_w; 0 when a strip of one output row does not fit or the
 * geometry is not the fast path's. */
static int32_t strip_rows(const tt_depthwise_conv2d_params *p, int32_t *strip_w)
{
    *strip_w = (p->output_w - 1) * p->stride_w + p->kernel_w;
    if (p->dilation_h != 1 || p->dilation_w != 1 || p->kernel_h > 8 || p->kernel_w > 8 || p->pad_top < 0 || p->pad_left < 0 ||
        (int64_t)*strip_w * p->kernel_h > GATHER_MAX_BYTES) {
        return 0;
    }
    return (GATHER_MAX_BYTES / *strip_w - p->kernel_h) / p->stride_h + 1;
}

/* Every output of input channel `channel` (all its multipliers), from source (element (y, x) at y * row_step +
 * x * column_step) gathered a strip at a time; strip_rows must be positive. */
static void forward_gathered(const tt_depthwise_conv2d_params *p, int32_t channel, const int8_t *source, int32_t row_step,
                             int32_t column_step, const int8_t *filter, const int32_t *bias, int8_t *output, uint8_t *mask)
{
    const int8_t zero = (int8_t)p->input_zero_point;
    int8_t strip[GATHER_MAX_BYTES];
    int32_t strip_w, rows_per_strip = strip_rows(p, &strip_w), first, m, r, x;
    /* The input's columns that some window reads, after `left` columns of padding. */
    const int32_t left = p->pad_left < strip_w ? p->pad_left : strip_w;
    const int32_t columns = p->input_w < strip_w - left ? p->input_w : strip_w - left;
    for (first = 0; first < p->output_h; first += rows_per_strip) {
        const int32_t last = p->output_h - first < rows_per_strip ? p->output_h : first + rows_per_strip;
        const int32_t top = first * p->stride_h - p->pad_top; /* the input row at the strip's row 0 */
        const int32_t rows = (last - 1 - first) * p->stride_h + p->kernel_h;
        for (r = 0; r < rows; r++) {
            int8_t *to = strip + r * strip_w;
            const int8_t *from = source + (top + r) * row_step;
            if (top + r < 0 || top + r >= p->input_h) {
                memset(to, zero, (size_t)strip_w);
                continue;
            }

            memset(to, zero, (size_t)left);
            if (column_step == 1) {
                memcpy(to + left, from, (size_t)columns);
            } else {
                for (x = 0; x < columns; x++, from += column_step) {
                    to[left + x] = *from;
                }
            }
            memset(to + left + columns, zero, (size_t)(strip_w - left - columns));
        }
        for (m = 0; m < p->depth_multiplier; m++) {
            tt_depthwise_plane_interior(p, channel * p->depth_multiplier + m, strip, rows, strip_w, -top, p->pad_left, filter,
                                        bias, first, last, 0, p->output_w, output, mask);
        }
    }
}

/* The reference's sums in int32, over the taps inside the input only (padded taps contribute 0). The geometry is copied
 * into locals: int8 stores may alias anything, so fields read through p would be reloaded after every output. */
static void forward(const tt_depthwise_conv2d_params *p, const int8_t *input, const int8_t *filter,
                    const int32_t *bias, int8_t *output, uint8_t *mask)
{
    const int32_t input_w = p->input_w, input_c = p->input_c, multiplier = p->depth_multiplier, zero = p->input_zero_point;
    const int32_t kernel_w = p->kernel_w, dilation_w = p->dilation_w, channels = output_c(p);
    const int32_t pixel_step = dilation_w * input_c, row_step = p->dilation_h * input_w * input_c;
    int32_t out_y, out_x, out_channel, filter_y, filter_x;
    if (p->kernel_h * kernel_w > INT32_EXACT_TERMS) {
        forward_int64(p, input, filter, bias, output, mask);
        return;
    }
    /* Planes of up to 64 outputs: gathering a channel's plane costs more than its outputs. */
    if (p->output_h * p->output_w <= 64 && tt_depthwise_nhwc(p, input, filter, bias, output, mask)) {
        return;
    }
    if (strip_rows(p, &out_x) > 0) {
        for (out_channel = 0; out_channel < input_c; out_channel++) {
            forward_gathered(p, out_channel, input + out_channel, input_w * input_c, input_c, filter, bias, output, mask);
        }
        return;
    }

    for (out_y = 0; out_y < p->output_h; out_y++) {
        int32_t in_y_origin = out_y * p->stride_h - p->pad_top;
        int32_t y_first, y_last;
        tt_window(in_y_origin, p->dilation_h, p->kernel_h, p->input_h, &y_first, &y_last);
        for (out_x = 0; out_x < p->output_w; out_x++) {
            int32_t in_x_origin = out_x * p->stride_w - p->pad_left;
            int32_t x_first, x_last, base = (out_y * p->output_w + out_x) * channels;
            const int8_t *corner;
            const int8_t *taps = filter + y_first * kernel_w * channels;
            int32_t rows, columns;
            tt_window(in_x_origin, dilation_w, kernel_w, input_w, &x_first, &x_last);
            rows = y_last - y_first;
            columns = x_last - x_first;
            corner = input + ((in_y_origin + p->dilation_h * y_first) * input_w + in_x_origin + dilation_w * x_first) * input_c;
            taps += x_first * channels;
            for (out_channel = 0; out_channel < channels; out_channel++) {
                const int8_t *x_row = corner + (multiplier == 1 ? out_channel : out_channel / multiplier);
                const int8_t *w_row = taps + out_channel;
                int32_t sum = 0;
                for (filter_y = 0; filter_y < rows; filter_y++) {
                    const int8_t *x = x_row;
                    const int8_t *w = w_row;
                    for (filter_x = 0; filter_x < columns; filter_x++) {
                        sum += (int32_t)*w * ((int32_t)*x - zero);
                        x += pixel_step;
                        w += channels;
                    }
                    x_row += row_step;
                    w_row += kernel_w * channels;
                }

                output[base + out_channel] = tt_requantize(&p->requant, bias, p->output_zero_point, p->act_min,
                                                                  p->act_max, out_channel, sum, mask, base + out_channel);
            }
        }
    }
}

/* One output of one channel's plane, any position: the taps inside the input only (the border of the plane). */
static int64_t plane_sum(const tt_depthwise_conv2d_params *p, int32_t channel, const int8_t *plane, const int8_t *filter,
                         int32_t out_y, int32_t out_x)
{
    int32_t in_y_origin = out_y * p->stride_h - p->pad_top, in_x_origin = out_x * p->stride_w - p->pad_left;
    int32_t y_first, y_last, x_first, x_last, filter_y, filter_x, channels = output_c(p);
    int64_t sum = 0;
    tt_window(in_y_origin, p->dilation_h, p->kernel_h, p->input_h, &y_first, &y_last);
    tt_window(in_x_origin, p->dilation_w, p->kernel_w, p->input_w, &x_first, &x_last);
    for (filter_y = y_first; filter_y < y_last; filter_y++) {
        const int8_t *x = plane + (in_y_origin + p->dilation_h * filter_y) * p->input_w + in_x_origin;
        const int8_t *w = filter + filter_y * p->kernel_w * channels + channel;
        int32_t row = 0; /* exact: a row of fewer than 65,793 taps */
        for (filter_x = x_first; filter_x < x_last; filter_x++) {
            row += (int32_t)w[filter_x * channels] * ((int32_t)x[p->dilation_w * filter_x] - p->input_zero_point);
        }
        sum += row;
    }
    return sum;
}

/* The first output index whose window starts inside the input, and one past the last whose window ends inside it. */
static void interior(int32_t pad, int32_t stride, int32_t extent_in, int32_t span, int32_t outputs, int32_t *first, int32_t *last)
{
    int32_t lo = (pad + stride - 1) / stride, hi = outputs;
    while (hi > lo && (hi - 1) * stride - pad + span > extent_in) {
        hi--;
    }
    *first = lo < outputs ? lo : outputs;
    *last = hi > *first ? hi : *first;
}

void tt_depthwise_conv2d_forward_plane(const tt_depthwise_conv2d_params *p, int32_t channel, const int8_t *plane,
                                       const int8_t *filter, const int32_t *bias, int8_t *output)
{
    const int32_t channels = output_c(p);
    int32_t out_y, out_x, y_first, y_last, x_first, x_last;
    if (strip_rows(p, &out_x) > 0 && p->depth_multiplier == 1) {
        forward_gathered(p, channel, plane, p->input_w, 1, filter, bias, output, NULL);
        return;
    }

    interior(p->pad_top, p->stride_h, p->input_h, p->dilation_h * (p->kernel_h - 1) + 1, p->output_h, &y_first, &y_last);
    interior(p->pad_left, p->stride_w, p->input_w, p->dilation_w * (p->kernel_w - 1) + 1, p->output_w, &x_first, &x_last);
    if (!tt_depthwise_plane_interior(p, channel, plane, p->input_h, p->input_w, 0, 0, filter, bias, y_first, y_last, x_first,
                                     x_last, output, NULL)) {
        y_first = y_last = x_first = x_last = 0; /* no fast path: every output below */
    }

    /* The border: windows that reach into the padding. */
    for (out_y = 0; out_y < p->output_h; out_y++) {
        int8_t *out_row = output + out_y * p->output_w * channels + channel;
        int32_t inside_y = out_y >= y_first && out_y < y_last;
        for (out_x = 0; out_x < p->output_w; out_x++) {
            if (inside_y && out_x >= x_first && out_x < x_last) {
                out_x = x_last - 1;
                continue;
            }
            out_row[out_x * channels] = tt_requantize(&p->requant, bias, p->output_zero_point, p->act_min, p->act_max, channel,
                                                      plane_sum(p, channel, plane, filter, out_y, out_x), NULL, 0);
        }
    }
}

void tt_depthwise_conv2d_forward(const tt_depthwise_conv2d_params *p, const int8_t *input, const int8_t *filter,
                                 const int32_t *bias, int8_t *output)
{
    forward(p, input, filter, bias, output, NULL);
}

void tt_depthwise_conv2d_forward_with_mask(const tt_depthwise_conv2d_params *p, const int8_t *input,
                                           const int8_t *filter, const int32_t *bias, int8_t *output, uint8_t *mask)
{
    memset(mask, 0, (size_t)tt_clamp_mask_byte_length(output_length(p)));
    forward(p, input, filter, bias, output, mask);
}

/* The sum runs over (ky, kx) from 0.0f, then the bias is added. */
static void forward_float(const tt_depthwise_conv2d_params *p, const float *input, const float *filter,
                          const float *bias, float *output, float min, float max, uint8_t *mask)
{
    int32_t out_y, out_x, out_channel;
    int32_t channels = output_c(p);
    for (out_y = 0; out_y < p->output_h; out_y++) {
        for (out_x = 0; out_x < p->output_w; out_x++) {
            for (out_channel = 0; out_channel < channels; out_channel++) {
                int32_t in_channel = out_channel / p->depth_multiplier;
                float sum = 0.0f;
                int32_t index;
                tt_taps t = TT_TAPS(p, out_y, out_x);
                while (tt_taps_next(&t)) {
                    sum += filter[t.tap * channels + out_channel] * input[t.pixel * p->input_c + in_channel];
                }

                if (bias != NULL) {
                    sum += bias[out_channel];
                }

                index = (out_y * p->output_w + out_x) * channels + out_channel;
                output[index] = tt_clamp_mask_apply(sum, min, max, mask, index);
            }
        }
    }
}

void tt_depthwise_conv2d_forward_float(const tt_depthwise_conv2d_params *p, const float *input, const float *filter,
                                       const float *bias, float *output, float min, float max)
{
    forward_float(p, input, filter, bias, output, min, max, NULL);
}

void tt_depthwise_conv2d_forward_float_with_mask(const tt_depthwise_conv2d_params *p, const float *input,
                                                 const float *filter, const float *bias, float *output, float min,
                                                 float max, uint8_t *mask)
{
    memset(mask, 0, (size_t)tt_clamp_mask_byte_length(output_length(p)));
    forward_float(p, input, filter, bias, output, min, max, mask);
}
