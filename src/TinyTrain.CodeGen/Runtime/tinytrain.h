/*
 * TinyTrain C runtime: the kernels of TinyTrain.Kernels (C#) ported to C99, bit for bit.
 *
 * Each function mirrors the C# *Reference* kernel of the same name (Conv2D.ForwardReference is
 * tt_conv2d_forward, SgdSlice.UpdateInt8 is tt_sgd_slice_update_int8, ...): the same loop order, the same
 * float32 operations, the same integer wrapping. The results are identical only if the C is compiled
 * without FMA contraction and without fast-math:
 *     gcc -std=c99 -O2 -ffp-contract=off        (never -Ofast / -ffast-math)
 * and with float arithmetic evaluated in float (FLT_EVAL_METHOD 0: x86-64 SSE, Cortex-M4F/M7 FPU).
 *
 * Conventions
 * - Tensors are NHWC, batch 1, contiguous. Conv filters are OHWI, depthwise filters [1, KH, KW, C * M],
 *   fully connected filters [OutputDepth, InputDepth] (TFLite's layouts).
 * - An optional input (a bias, a momentum buffer, a mask) is NULL when absent.
 * - Arguments are not checked: the compiler validates shapes when it lowers a program (the C# kernels throw
 *   on the same conditions). Counts are int32_t, as C#'s int.
 * - Clamp masks: bit (i & 7) of byte (i >> 3), LSB first, is 1 when element i's pre-clamp value lay inside
 *   [min, max] (a value equal to a bound counts as inside). A *_with_mask kernel clears the whole mask
 *   (tt_clamp_mask_byte_length(n) bytes) and then sets bits.
 * - Output buffers may alias input buffers only where the documentation of the function says so (as in C#).
 * - No allocation, no I/O, no dependency beyond libm.
 * - tinytrain_internal.h holds what the kernels share (requantisation, fixed-point arithmetic, clamp-mask bits, window
 *   ranges); a program that only calls the kernels needs this header alone.
 *
 * Which function a lowered call becomes is said once, by the call itself: each record in TinyTrain.Compiler.Lowered
 * writes its C statement (KernelCall.C) next to the C# kernel it runs on the host (KernelCall.Run).
 */
#ifndef TINYTRAIN_H
#define TINYTRAIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif


/* ---------------------------------------------------------------------------------------------------------
 * Parameter records (TinyTrain.Kernels/Parameters)
 * ------------------------------------------------------------------------------------------------------- */

/* How an accumulator becomes an int8 value (RequantMode). */
typedef enum {
    /* The paper's models: y = round_half_even((float)(sum + bias) * scale[c]) + zp, sum + bias in int64. */
    TT_REQUANT_FLOAT = 0,
    /* TFLite: y = MultiplyByQuantizedMultiplier((int32)(sum + bias), multiplier[c], shift[c]) + zp. */
    TT_REQUANT_FIXED_POINT = 1
} tt_requant_mode;

/* Requantization: count entries (1 = per-tensor, else one per output channel). Float mode reads scale only;
 * fixed-point mode reads multiplier and shift only (the others may be NULL). */
typedef struct {
    tt_requant_mode mode;
    int32_t count;
    const float *scale;
    const int32_t *multiplier;
    const int32_t *shift;
} tt_requantization;

/* Conv2DParams. The input is padded with its zero point (padded taps contribute 0). */
typedef struct {
    int32_t input_h, input_w, input_c;
    int32_t output_h, output_w, output_c;
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t input_zero_point, output_zero_point;
    int32_t act_min, act_max;
    tt_requantization requant;
} tt_conv2d_params;

/* DepthwiseConv2DParams. Output channel c reads input channel c / depth_multiplier; output_c = input_c * M. */
typedef struct {
    int32_t input_h, input_w, input_c;
    int32_t output_h, output_w, depth_multiplier;
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t input_zero_point, output_zero_point;
    int32_t act_min, act_max;
    tt_requantization requant;
} tt_depthwise_conv2d_params;

/* FullyConnectedParams: y[b, o] = requant(sum_i (W[o, i] - fzp) * (x[b, i] - xzp) + bias[o]). */
typedef struct {
    int32_t batches, input_depth, output_depth;
    int32_t input_zero_point, filter_zero_point, output_zero_point;
    int32_t act_min, act_max;
    tt_requantization requant;
} tt_fully_connected_params;

/* AddParams. Float mode reads the scales; fixed-point mode the shifts and multipliers (TFLite's add). */
typedef struct {
    int32_t length;
    int32_t zero_a, zero_b, zero_out;
    int32_t act_min, act_max;
    tt_requant_mode mode;
    float scale_a, scale_b, scale_out;
    int32_t left_shift;
    int32_t multiplier_a, shift_a;
    int32_t multiplier_b, shift_b;
    int32_t multiplier_out, shift_out;
} tt_add_params;

/* PoolRounding. */
typedef enum {
    TT_POOL_HALF_AWAY_FROM_ZERO = 0, /* TFLite: (sum +/- count / 2) / count */
    TT_POOL_HALF_TO_EVEN = 1         /* the paper: round_half_even((float)sum / (float)count) */
} tt_pool_rounding;

/* PoolParams (average and max pool). Padded positions count neither in the sum nor in the count, and never win a max;
 * the max pool does not read rounding. */
typedef struct {
    int32_t input_h, input_w, channels;
    int32_t output_h, output_w;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;
    tt_pool_rounding rounding;
} tt_pool_params;

/* MeanParams (TFLite Micro's int8 MEAN over H and W). */
typedef struct {
    int32_t input_h, input_w, channels;
    int32_t input_zero_point, output_zero_point;
    int32_t multiplier, shift;
} tt_mean_params;

/* PadParams. */
typedef struct {
    int32_t input_h, input_w, input_c;
    int32_t pad_top, pad_bottom, pad_left, pad_right;
    int32_t pad_channels_before, pad_channels_after;
    int8_t pad_value;
} tt_pad_params;

/* SoftmaxParams (TFLite Micro's int8 softmax; output scale 1/256, zero point -128). */
typedef struct {
    int32_t rows, depth;
    int32_t input_multiplier, input_left_shift, diff_min;
} tt_softmax_params;

/* SliceLayout: gradient element e updates parameter element (e / channel_count) * inner + channels[e % channel_count];
 * its QAS factor is qas[e / qas_stride], or qas[channels[e % channel_count]] when qas_stride is 0. */
typedef struct {
    int32_t inner;
    const int32_t *channels;
    int32_t channel_count;
    int32_t qas_stride;
} tt_slice_layout;

/* ---------------------------------------------------------------------------------------------------------
 * Forward, int8 (training forwards use the *_with_mask variant)
 * ------------------------------------------------------------------------------------------------------- */

void tt_conv2d_forward(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                       int8_t *output);
void tt_conv2d_forward_with_mask(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter,
                                 const int32_t *bias, int8_t *output, uint8_t *mask);

void tt_depthwise_conv2d_forward(const tt_depthwise_conv2d_params *p, const int8_t *input, const int8_t *filter,
                                 const int32_t *bias, int8_t *output);
void tt_depthwise_conv2d_forward_with_mask(const tt_depthwise_conv2d_params *p, const int8_t *input,
                                           const int8_t *filter, const int32_t *bias, int8_t *output, uint8_t *mask);

void tt_fully_connected_forward(const tt_fully_connected_params *p, const int8_t *input, const int8_t *filter,
                                const int32_t *bias, int8_t *output);
void tt_fully_connected_forward_with_mask(const tt_fully_connected_params *p, const int8_t *input,
                                          const int8_t *filter, const int32_t *bias, int8_t *output, uint8_t *mask);

/* Output channels [first_channel, first_channel + channels) of the conv, channel-major: planes[k * pixels + pixel]. No mask. */
void tt_conv2d_forward_planes(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                              int32_t first_channel, int32_t channels, int8_t *planes);
/* One channel of the depthwise conv, read from that channel's plane (input_h x input_w), into the NHWC output. No mask. */
void tt_depthwise_conv2d_forward_plane(const tt_depthwise_conv2d_params *p, int32_t channel, const int8_t *plane,
                                       const int8_t *filter, const int32_t *bias, int8_t *output);
/* ConvDepthwise: the conv, then the depthwise conv of its output, a few channels at a time through planes
 * (4 * conv output_h * output_w bytes); the same bytes as the two forward kernels in turn. */
void tt_conv_depthwise_forward(const tt_conv2d_params *conv, const tt_depthwise_conv2d_params *depthwise, const int8_t *input,
                               const int8_t *conv_filter, const int32_t *conv_bias, const int8_t *depthwise_filter,
                               const int32_t *depthwise_bias, int8_t *planes, int8_t *output);

void tt_add_forward(const tt_add_params *p, const int8_t *a, const int8_t *b, int8_t *output);
void tt_add_forward_with_mask(const tt_add_params *p, const int8_t *a, const int8_t *b, int8_t *output,
                              uint8_t *mask);

void tt_average_pool2d_forward(const tt_pool_params *p, const int8_t *input, int8_t *output);
/* output = clamp(max of the window's in-image input, act_min, act_max), the max from -128 up (TFLite's MaxPool). */
void tt_max_pool2d_forward(const tt_pool_params *p, const int8_t *input, int8_t *output);
void tt_mean_forward(const tt_mean_params *p, const int8_t *input, int8_t *output);
void tt_softmax_forward(const tt_softmax_params *p, const int8_t *input, int8_t *output);
void tt_pad_forward(const tt_pad_params *p, const int8_t *input, int8_t *output);
/* Quantize.cs: 8-bit requantisation; input and output are int8 when *_signed, else uint8. */
void tt_quantize_forward(const void *input, void *output, int32_t length, int32_t input_signed, int32_t output_signed,
                         int32_t input_zero_point, int32_t output_zero_point, int32_t multiplier, int32_t shift);

/* ---------------------------------------------------------------------------------------------------------
 * Forward, fp32 (the fp32 baseline and fp32 heads): geometry from the params, zero points and requantisation
 * ignored, output clamped to [min, max] (+-INFINITY: no clamp). bias may be NULL.
 * ------------------------------------------------------------------------------------------------------- */

void tt_conv2d_forward_float(const tt_conv2d_params *p, const float *input, const float *filter, const float *bias,
                             float *output, float min, float max);
void tt_conv2d_forward_float_with_mask(const tt_conv2d_params *p, const float *input, const float *filter,
                                       const float *bias, float *output, float min, float max, uint8_t *mask);
void tt_depthwise_conv2d_forward_float(const tt_depthwise_conv2d_params *p, const float *input, const float *filter,
                                       const float *bias, float *output, float min, float max);
void tt_depthwise_conv2d_forward_float_with_mask(const tt_depthwise_conv2d_params *p, const float *input,
                                                 const float *filter, const float *bias, float *output, float min,
                                                 float max, uint8_t *mask);
void tt_fully_connected_forward_float(const tt_fully_connected_params *p, const float *input, const float *filter,
                                      const float *bias, float *output, float min, float max);
void tt_fully_connected_forward_float_with_mask(const tt_fully_connected_params *p, const float *input,
                                                const float *filter, const float *bias, float *output, float min,
                                                float max, uint8_t *mask);
/* output[i] = clamp(a[i] + b[i], min, max). */
void tt_add_forward_float(const float *a, const float *b, float *output, int32_t length, float min, float max);
void tt_add_forward_float_with_mask(const float *a, const float *b, float *output, int32_t length, float min,
                                    float max, uint8_t *mask);
/* output = in-image window sum / count, no clamp. */
void tt_average_pool2d_forward_float(const tt_pool_params *p, const float *input, float *output);
void tt_mean_forward_float(int32_t height, int32_t width, int32_t channels, const float *input, float *output);
void tt_pad_forward_float(const tt_pad_params *p, const float *input, float *output);
/* output = clamp(in-image window max, min, max), the max from -INFINITY up (NaNs never win). */
void tt_max_pool2d_forward_float(const tt_pool_params *p, const float *input, float *output, float min, float max);

/* ---------------------------------------------------------------------------------------------------------
 * Loss
 * ------------------------------------------------------------------------------------------------------- */

/* real[i] = (float)(q[i] - zero_point) * scale. */
void tt_softmax_cross_entropy_dequantize(const int8_t *q, int32_t length, float scale, int32_t zero_point,
                                         float *real);
/* Returns log(sum_j exp(z_j - m)) - (z_label - m), m = max z; writes logits_grad[i] = exp(z_i - m) / sum -
 * [i == label] unless logits_grad is NULL (loss only). logits_grad may be logits (in place). A label outside
 * [0, length) returns NaN and writes nothing (C# throws). Uses libm's expf/logf: bit-exact with C#'s MathF on a
 * host whose .NET uses the same libm. */
float tt_softmax_cross_entropy_forward(const float *logits, int32_t length, int32_t label, float *logits_grad);
/* Index of the largest logit, the first one on ties. */
int32_t tt_softmax_cross_entropy_predict(const float *logits, int32_t length);

/* ---------------------------------------------------------------------------------------------------------
 * Backward (fp32 gradients with respect to the integer values)
 * ------------------------------------------------------------------------------------------------------- */

/* acc_grad[i] = mask bit i ? output_grad[i] * scale[scale_count == 1 ? 0 : i % channels] : 0.
 * acc_grad may be output_grad (in place). */
void tt_requant_accumulator_grad(const float *output_grad, const uint8_t *mask, const float *scale,
                                 int32_t scale_count, int32_t channels, int32_t length, float *acc_grad);
/* acc_grad[i] = output_grad[i] * scale[scale_count == 1 ? 0 : i % channels] (no clamp mask). In place allowed. */
void tt_requant_scale_grad(const float *output_grad, const float *scale, int32_t scale_count, int32_t channels,
                           int32_t length, float *acc_grad);

/* bias_grad[c] = sum over pixels of acc_grad[pixel * channels + c], pixels in order (length = pixels * channels). */
void tt_bias_grad(const float *acc_grad, int32_t length, int32_t channels, float *bias_grad);

/* Transposed conv: input_grad (overwritten) += acc_grad[oy, ox, oc] * W[oc, ky, kx, ic], in (oy, ox, oc, ky, kx) order. */
void tt_conv2d_input_grad(const tt_conv2d_params *p, const float *acc_grad, const int8_t *filter, float *input_grad);
void tt_conv2d_input_grad_float(const tt_conv2d_params *p, const float *acc_grad, const float *filter,
                                float *input_grad);
/* filter_grad[oc, ky, kx, j] = sum over (oy, ox) of acc_grad[oy, ox, oc] * (x[iy, ix, input_channels[j]] - zp),
 * laid out [output_c, kernel_h, kernel_w, selected]. The float variant uses zero point 0. */
void tt_conv2d_filter_grad(const tt_conv2d_params *p, const int8_t *input, const float *acc_grad,
                           const int32_t *input_channels, int32_t selected, float *filter_grad);
void tt_conv2d_filter_grad_float(const tt_conv2d_params *p, const float *input, const float *acc_grad,
                                 const int32_t *input_channels, int32_t selected, float *filter_grad);
/* The output channels [first_output, first_output + outputs) of the same, laid out [outputs, kernel_h, kernel_w,
 * selected]; each element equals the whole gradient's bit for bit (fused updates take it a block at a time). */
void tt_conv2d_filter_grad_window(const tt_conv2d_params *p, const int8_t *input, const float *acc_grad,
                                  const int32_t *input_channels, int32_t selected, int32_t first_output,
                                  int32_t outputs, float *filter_grad);
void tt_conv2d_filter_grad_window_float(const tt_conv2d_params *p, const float *input, const float *acc_grad,
                                        const int32_t *input_channels, int32_t selected, int32_t first_output,
                                        int32_t outputs, float *filter_grad);

/* Transposed depthwise conv, terms in (oy, ox, ky, kx, m) order. */
void tt_depthwise_conv2d_input_grad(const tt_depthwise_conv2d_params *p, const float *acc_grad,
                                    const int8_t *filter, float *input_grad);
void tt_depthwise_conv2d_input_grad_float(const tt_depthwise_conv2d_params *p, const float *acc_grad,
                                          const float *filter, float *input_grad);
/* filter_grad[ky, kx, j] for channels[j], laid out [kernel_h, kernel_w, selected]. depth_multiplier must be 1. */
void tt_depthwise_conv2d_filter_grad(const tt_depthwise_conv2d_params *p, const int8_t *input,
                                     const float *acc_grad, const int32_t *channels, int32_t selected,
                                     float *filter_grad);
void tt_depthwise_conv2d_filter_grad_float(const tt_depthwise_conv2d_params *p, const float *input,
                                           const float *acc_grad, const int32_t *channels, int32_t selected,
                                           float *filter_grad);

/* input_grad[b, i] = sum over o of acc_grad[b, o] * (W[o, i] - filter_zero_point) (float variant: zero point 0). */
void tt_fully_connected_input_grad(const tt_fully_connected_params *p, const float *acc_grad, const int8_t *filter,
                                   float *input_grad);
void tt_fully_connected_input_grad_float(const tt_fully_connected_params *p, const float *acc_grad,
                                         const float *filter, float *input_grad);
/* filter_grad[o, j] = sum over b of acc_grad[b, o] * (x[b, input_channels[j]] - input_zero_point). */
void tt_fully_connected_filter_grad(const tt_fully_connected_params *p, const int8_t *input, const float *acc_grad,
                                    const int32_t *input_channels, int32_t selected, float *filter_grad);
void tt_fully_connected_filter_grad_float(const tt_fully_connected_params *p, const float *input,
                                          const float *acc_grad, const int32_t *input_channels, int32_t selected,
                                          float *filter_grad);
/* Output channels [first_output, first_output + outputs) of the same, laid out [outputs, selected]. */
void tt_fully_connected_filter_grad_window(const tt_fully_connected_params *p, const int8_t *input,
                                           const float *acc_grad, const int32_t *input_channels, int32_t selected,
                                           int32_t first_output, int32_t outputs, float *filter_grad);
void tt_fully_connected_filter_grad_window_float(const tt_fully_connected_params *p, const float *input,
                                                 const float *acc_grad, const int32_t *input_channels,
                                                 int32_t selected, int32_t first_output, int32_t outputs,
                                                 float *filter_grad);

/* input_grad (overwritten) += output_grad[oy, ox, c] / count(oy, ox) over the windows covering it, in (oy, ox) order. */
void tt_average_pool2d_backward(const tt_pool_params *p, const float *output_grad, float *input_grad);
/* The mean's input gradient: output_grad[c] * scale at each of the positions. */
void tt_mean_backward(int32_t positions, int32_t channels, float scale, const float *output_grad, float *input_grad);
/* The pad's input gradient: the output gradient without the padding. */
void tt_pad_backward(const tt_pad_params *p, const float *output_grad, float *input_grad);
/* input_grad (overwritten) += output_grad[oy, ox, c], in (oy, ox, c) order, at the first in-image position of the window
 * in scan order (filter row, then column) holding the window's max; nothing where the max lies outside [act_min, act_max]
 * ([min, max] for fp32: the clamp changed it) or, in fp32, where no position holds it (a window of NaNs only). */
void tt_max_pool2d_backward(const tt_pool_params *p, const int8_t *input, const float *output_grad, float *input_grad);
void tt_max_pool2d_backward_float(const tt_pool_params *p, const float *input, const float *output_grad,
                                  float *input_grad, float min, float max);

/* target[i] += source[i]. */
void tt_elementwise_add_in_place(float *target, const float *source, int32_t length);
/* output = a, then output[i] += b[i] (the executor's gradient fan-in; output may be a). */
void tt_elementwise_add(const float *a, const float *b, float *output, int32_t length);

/* ---------------------------------------------------------------------------------------------------------
 * Updates (SgdSlice: the trained slice of a parameter). velocity NULL: plain SGD.
 * Step of gradient element e: g = grad[e] * qas[...]; with velocity v = beta * v + g, g = v; then w -= lr * g:
 * device policy w = clamp(round_half_even(w - lr * g), -127, 127) (NaN leaves w), an int32 bias exactly and
 * saturated; master policy master -= lr * g, then rounded into the integer parameter.
 * ------------------------------------------------------------------------------------------------------- */

/* clamp(round_half_even(master), -127, 127); NaN gives 0. */
void tt_sgd_round_master_to_int8(const float *master, int32_t length, int8_t *weights);
/* round_half_even(master) saturated to int32; NaN gives 0. */
void tt_sgd_round_master_to_int32(const float *master, int32_t length, int32_t *bias);

/* The steps on a slice (qas required). grad, velocity: grad_length elements; the parameter is indexed
 * through the layout. The master policy is tt_sgd_slice_update_master then tt_sgd_slice_round_to_int8/int32. */
void tt_sgd_slice_update_int8(int8_t *weights, const float *grad, int32_t grad_length, const float *qas,
                              const tt_slice_layout *layout, float lr, float *velocity, float beta);
void tt_sgd_slice_update_int32(int32_t *bias, const float *grad, int32_t grad_length, const float *qas,
                               const tt_slice_layout *layout, float lr, float *velocity, float beta);
void tt_sgd_slice_update_master(float *master, const float *grad, int32_t grad_length, const float *qas,
                                const tt_slice_layout *layout, float lr, float *velocity, float beta);
void tt_sgd_slice_update_float(float *weights, const float *grad, int32_t grad_length, const float *qas,
                               const tt_slice_layout *layout, float lr, float *velocity, float beta);
void tt_sgd_slice_round_to_int8(const float *master, int8_t *weights, const tt_slice_layout *layout,
                                int32_t grad_length);
void tt_sgd_slice_round_to_int32(const float *master, int32_t *bias, const tt_slice_layout *layout,
                                 int32_t grad_length);

/* SliceMerge.Merge: merged = frozen (rows x inner values), then merged[r * inner + channels[j]] = trained[r * k + j]. */
void tt_slice_merge(const int8_t *frozen, const int8_t *trained, const int32_t *channels, int32_t k, int32_t rows,
                    int32_t inner, int8_t *merged);

/* Sgd.RoundToInt8: clamp(round_half_even(value), -127, 127) for a value that is not NaN. */
int8_t tt_sgd_round_to_int8(float value);
/* Sgd.SubtractRounded: round_half_even(b - step) saturated to int32, exactly (NaN step: b). */
int32_t tt_sgd_subtract_rounded(int32_t b, float step);

#ifdef __cplusplus
}
#endif

#endif /* TINYTRAIN_H */
