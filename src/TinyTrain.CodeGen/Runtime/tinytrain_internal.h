/*
 * TinyTrain C runtime, internal: what the kernels share (requantisation, gemmlowp fixed-point arithmetic, clamp-mask
 * bits, int32 wrapping, window ranges). Callable on their own (the parity tests do); a program that only calls the
 * kernels includes tinytrain.h alone.
 */
#ifndef TINYTRAIN_INTERNAL_H
#define TINYTRAIN_INTERNAL_H

#include <math.h>

#include "tinytrain.h"

#ifdef __cplusplus
extern "C" {
#endif

/* For the small helpers of the hot loops: GCC does not always inline a static function that is called from several places. */
#if defined(__GNUC__)
#define TT_INLINE static inline __attribute__((always_inline))
#else
#define TT_INLINE static inline
#endif

/* ---------------------------------------------------------------------------------------------------------
 * Shared helpers (ClampMask, Requantizer, FixedPoint): used by the kernels, callable on their own.
 * ------------------------------------------------------------------------------------------------------- */

/* ceil(elements / 8). */
int32_t tt_clamp_mask_byte_length(int32_t elements);
int tt_clamp_mask_is_inside(const uint8_t *mask, int32_t index);
void tt_clamp_mask_set(uint8_t *mask, int32_t index);
/* The fp32 clamp: value inside [min, max] sets bit index (mask NULL: none) and passes; NaN passes with bit 0. */
float tt_clamp_mask_apply(float value, float min, float max, uint8_t *mask, int32_t index);

/* One output channel's requantisation: clamp(requant(sum + bias[channel]) + zero_point, min, max); bias NULL: none.
 * Sets mask bit index when the pre-clamp value is inside [min, max] (mask NULL: none). */
int8_t tt_requantizer_apply(const tt_requantization *requant, const int32_t *bias, int32_t zero_point, int32_t min,
                            int32_t max, int32_t channel, int64_t sum, uint8_t *mask, int32_t index);
/* round_half_even((float)acc * scale), the float product first clamped to +-2^20. */
int32_t tt_requantizer_round_float(int64_t acc, float scale);

/* Two's complement int32 arithmetic without C's signed-overflow undefined behaviour (C#'s unchecked int). Inline, with
 * the fixed-point multiplication below: the requantisation of every output of a TFLite model goes through them. */
static inline int32_t tt_wrap32(int64_t value)
{
    uint32_t bits = (uint32_t)(uint64_t)value; /* unsigned conversion is modular */
    return bits <= 0x7FFFFFFFu ? (int32_t)bits : (int32_t)(bits - 0x80000000u) - INT32_MAX - 1;
}

static inline int32_t tt_add32(int32_t a, int32_t b) { return tt_wrap32((int64_t)a + b); }

static inline int32_t tt_sub32(int32_t a, int32_t b) { return tt_wrap32((int64_t)a - b); }

static inline int32_t tt_mul32(int32_t a, int32_t b) { return tt_wrap32((int64_t)a * b); }

/* x >> (count & 31) with sign extension (C#'s int >>, defined in C for negative x). */
static inline int32_t tt_asr32(int32_t x, int32_t count)
{
    int32_t shift = (int32_t)((uint32_t)count & 31u);
    return x < 0 ? ~(~x >> shift) : x >> shift; /* ~x >= 0 for x < 0 */
}

static inline int32_t tt_fixed_point_saturating_rounding_doubling_high_mul(int32_t a, int32_t b)
{
    int64_t product;
    int64_t nudge;
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }

    product = (int64_t)a * b;
    nudge = product >= 0 ? ((int64_t)1 << 30) : 1 - ((int64_t)1 << 30);
    return (int32_t)((product + nudge) / ((int64_t)1 << 31)); /* C division truncates toward zero */
}

static inline int32_t tt_fixed_point_rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    int32_t mask = tt_wrap32((int64_t)((((uint64_t)1) << ((uint32_t)exponent & 63u)) - 1u));
    int32_t remainder = tt_wrap32((int64_t)((uint32_t)x & (uint32_t)mask));
    int32_t threshold = tt_add32(tt_asr32(mask, 1), x < 0 ? 1 : 0);
    int32_t above = (int32_t)((uint32_t)tt_sub32(threshold, remainder) >> 31); /* remainder > threshold */
    return tt_add32(tt_asr32(x, exponent), above);
}

static inline int32_t tt_fixed_point_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift)
{
    int32_t left_shift = shift > 0 ? shift : 0;
    int32_t right_shift = shift > 0 ? 0 : tt_sub32(0, shift);
    /* C#'s 1 << left_shift for an int */
    int32_t scaled = tt_mul32(x, tt_wrap32((int64_t)1 << ((uint32_t)left_shift & 31u)));
    return tt_fixed_point_rounding_divide_by_pot(tt_fixed_point_saturating_rounding_doubling_high_mul(scaled, multiplier),
                                                 right_shift);
}

/* gemmlowp / TFLite fixed-point arithmetic (two's complement wrapping where C# wraps). */
int32_t tt_fixed_point_multiply_by_quantized_multiplier_smaller_than_one_exp(int32_t x, int32_t multiplier,
                                                                             int32_t left_shift);
int32_t tt_fixed_point_multiply_by_quantized_multiplier_greater_than_one(int32_t x, int32_t multiplier,
                                                                         int32_t left_shift);
int32_t tt_fixed_point_saturating_rounding_multiply_by_pot(int32_t x, int32_t exponent);
int32_t tt_fixed_point_rescale(int32_t raw, int32_t src_integer_bits, int32_t dst_integer_bits);
int32_t tt_fixed_point_rounding_half_sum(int32_t a, int32_t b);
int32_t tt_fixed_point_count_leading_zeros(uint32_t x);
int32_t tt_fixed_point_exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a);
int32_t tt_fixed_point_exp_on_negative_values(int32_t a, int32_t integer_bits);
int32_t tt_fixed_point_one_over_one_plus_x_for_x_in_0_to_1(int32_t a);
int32_t tt_fixed_point_get_reciprocal(int32_t x, int32_t x_integer_digits, int32_t *num_bits_over_unit);

/* round half to even of a float (MathF.Round), in the default rounding mode. */
float tt_round_half_even(float value);

/* tt_requantize before the activation clamp: requant(acc) + zero_point, wrapping as C#'s int. */
static inline int32_t tt_requantize_value(const tt_requantization *requant, int32_t channel, int64_t acc, int32_t zero_point)
{
    int32_t q = requant->count == 1 ? 0 : channel;
    int32_t value;
    uint32_t bits;
    if (requant->mode == TT_REQUANT_FLOAT) {
        /* One rounding of the exact integer (an int32 converts in hardware, to the same float), one float multiply,
         * clamped to +-2^20 (beyond it the int8 output saturates anyway), rounded half to even. */
        float real = (acc >= INT32_MIN && acc <= INT32_MAX ? (float)(int32_t)acc : (float)acc) * requant->scale[q];
        real = real > 1048576.0f ? 1048576.0f : real < -1048576.0f ? -1048576.0f : real;
        value = (int32_t)rintf(real);
    } else {
        /* TFLite accumulates in wrapping int32: only acc mod 2^32 matters. */
        value = tt_fixed_point_multiply_by_quantized_multiplier(tt_wrap32(acc), requant->multiplier[q], requant->shift[q]);
    }

    /* value + zero_point wrapping as C#'s int (only the fixed-point path can come near the limits). */
    bits = (uint32_t)value + (uint32_t)zero_point;
    return bits <= 0x7FFFFFFFu ? (int32_t)bits : (int32_t)(bits - 0x80000000u) - INT32_MAX - 1;
}

/* tt_requantizer_apply, inline: the kernels call it once per output, where a call costs as much as the arithmetic. */
static inline int8_t tt_requantize(const tt_requantization *requant, const int32_t *bias, int32_t zero_point, int32_t min,
                                   int32_t max, int32_t channel, int64_t sum, uint8_t *mask, int32_t index)
{
    /* int64: saturated biases push the total past int32 */
    int32_t value = tt_requantize_value(requant, channel, bias == NULL ? sum : sum + bias[channel], zero_point);
    if (value >= min && value <= max) {
        if (mask != NULL) {
            mask[index >> 3] |= (uint8_t)(1u << (index & 7));
        }

        return (int8_t)value;
    }

    return (int8_t)(value < min ? min : max);
}

/* The fast path of the float requantisation (tt_channel_requant), with what it needs from above. */
#include "channel_requant.h"

/* ---------------------------------------------------------------------------------------------------------
 * Int8 dot products with the DSP extension (Cortex-M4/M7): SXTB16 spreads bytes 0 and 2 (and, rotated, 1 and 3) of
 * a word into two 16-bit lanes and SMLAD multiplies and adds both lanes at once. Integer sums are exact in any order.
 * ------------------------------------------------------------------------------------------------------- */
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32)
#define TT_DSP 1
#include <arm_acle.h>
#include <string.h>

TT_INLINE uint32_t tt_load32(const int8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4); /* one unaligned load on a Cortex-M4/M7 */
    return v;
}

/* SXTB16 / SXTAB16 of bytes 1 and 3, with the rotation in the instruction (GCC 12 does not fold a rotation into it). */
TT_INLINE int16x2_t tt_sxtb16_odd(uint32_t x)
{
    int16x2_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

TT_INLINE int16x2_t tt_sxtab16_odd(int16x2_t a, uint32_t x)
{
    int16x2_t r;
    __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
    return r;
}

/* The sums of four output channels over `words` words at x (at least one), added to sums[0..3], against their filters
 * spread by SXTB16: lanes holds, word by word, each channel's even and odd lanes (8 words a word). A word costs one load,
 * two SXTB16, two LDMs of four lanes and eight SMLADs (two words a pass). An assembly function (conv2d_pointwise_quads.c): GCC
 * neither merges the lane loads into LDMs nor keeps the sums, the lanes and the pointers in registers at once, and inline
 * assembly that asks for thirteen registers does not compile at every optimisation level. Exact integer sums. */
void tt_dot4(const int8_t *x, const int32_t *lanes, int32_t words, int32_t *sums);

/* Four outputs on the fast requantisation, channel_step bytes apart: tt_dot4's sums, started at the four channels'
 * biases. The callers keep r in locals (the int8 stores may alias anything and would force reloads). */
TT_INLINE void tt_dot4_requantize(const int8_t *x, const int32_t *lanes, int32_t words, const tt_channel_requant *r0,
                                  const tt_channel_requant *r1, const tt_channel_requant *r2, const tt_channel_requant *r3,
                                  int8_t *out, int32_t channel_step)
{
    int32_t s[4];
    s[0] = r0->bias, s[1] = r1->bias, s[2] = r2->bias, s[3] = r3->bias;
    tt_dot4(x, lanes, words, s);
    out[0] = tt_channel_requantize_biased(r0, s[0]);
    out[channel_step] = tt_channel_requantize_biased(r1, s[1]);
    out[2 * channel_step] = tt_channel_requantize_biased(r2, s[2]);
    out[3 * channel_step] = tt_channel_requantize_biased(r3, s[3]);
}
#endif

/* ---------------------------------------------------------------------------------------------------------
 * Float sums of products, as C computes acc + a * b without contraction (two roundings): one VMLA on a Cortex-M FPU.
 * VMLA rounds the product before adding (VFMA, which GCC would emit if allowed to contract, does not), but GCC only emits
 * it when allowed to contract, hence the inline assembly. TT_VFP also marks the kernels' VLDM loads of float rows.
 * ------------------------------------------------------------------------------------------------------- */
#if defined(__GNUC__) && defined(__ARM_FP) && (__ARM_FP & 4)
#define TT_VFP 1
TT_INLINE float tt_mla(float acc, float a, float b)
{
    __asm__("vmla.f32 %0, %1, %2" : "+t"(acc) : "t"(a), "t"(b));
    return acc;
}
#else
TT_INLINE float tt_mla(float acc, float a, float b) { return acc + a * b; }
#endif

/* Conv2D's 1x1 path (conv2d_pointwise.c): kernel 1x1, stride 1, no padding. Output channels [first_channel,
 * first_channel + channels) go to output[pixel * pixel_step + (channel - first_channel) * channel_step]; mask (NULL:
 * none) takes NHWC indices. */
int tt_conv2d_is_pointwise(const tt_conv2d_params *p);
void tt_conv2d_pointwise(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                         int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step, int32_t channel_step,
                         uint8_t *mask);

#ifdef TT_DSP
/* Conv2D's 1x1 path four output channels at a time (conv2d_pointwise_quads.c), with tt_conv2d_pointwise's arguments, for
 * input_c a multiple of 4. */
void tt_conv2d_pointwise_quads(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                               int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step,
                               int32_t channel_step, uint8_t *mask);
#endif

/* Conv2D's input gradient for tt_conv2d_is_pointwise convolutions with an int8 filter (conv2d_backward_pointwise.c):
 * tt_conv2d_input_grad's floats, gathered. */
void tt_conv2d_input_grad_pointwise(const tt_conv2d_params *p, const float *acc_grad, const int8_t *filter,
                                    float *input_grad);

/* DepthwiseConv2D's input gradient with an int8 filter (depthwise_backward_gathered.c): tt_depthwise_conv2d_input_grad's
 * floats, gathered, for the parameters tt_depthwise_input_grad_gathers accepts (multiplier 1, dilation 1, up to 64 taps). */
int tt_depthwise_input_grad_gathers(const tt_depthwise_conv2d_params *p);
void tt_depthwise_input_grad_gathered(const tt_depthwise_conv2d_params *p, const float *acc_grad, const int8_t *filter,
                                      float *input_grad);

/* Conv2D's path for larger kernels (conv2d_patches.c), with the arguments of tt_conv2d_pointwise: each window gathered
 * into a patch on the stack. Returns 0, computing nothing, when a window has more than TT_CONV_PATCH_MAX bytes. */
#define TT_CONV_PATCH_MAX 512
int tt_conv2d_patches(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                      int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step, int32_t channel_step,
                      uint8_t *mask);

/* DepthwiseConv2D over one channel's plane (depthwise_plane.c): the outputs [y_first, y_last) x [x_first, x_last),
 * whose windows must lie inside the plane (plane_h x plane_w bytes, input position (y, x) at plane row y + top, column
 * x + left), into the NHWC output with mask bits (mask NULL: none). Returns 0, computing nothing, for dilations other than
 * 1 and kernels wider or taller than 8. */
int tt_depthwise_plane_interior(const tt_depthwise_conv2d_params *p, int32_t channel, const int8_t *plane, int32_t plane_h,
                                int32_t plane_w, int32_t top, int32_t left, const int8_t *filter, const int32_t *bias,
                                int32_t y_first, int32_t y_last, int32_t x_first, int32_t x_last, int8_t *output,
                                uint8_t *mask);

/* DepthwiseConv2D from the NHWC input, four channels at a time (depthwise_nhwc.c): every output, into the NHWC output
 * with mask bits (mask NULL: none). Returns 0, computing nothing, for a depth multiplier other than 1 or more than 64
 * taps. */
int tt_depthwise_nhwc(const tt_depthwise_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                      int8_t *output, uint8_t *mask);

/* The taps of a window that fall inside the input: [*first, *last) of 0..kernel, for a window starting at origin
 * with the given dilation over an extent of input. */
TT_INLINE void tt_window(int32_t origin, int32_t dilation, int32_t kernel, int32_t extent, int32_t *first, int32_t *last)
{
    int32_t lo = 0, hi = kernel;
    while (lo < kernel && origin + dilation * lo < 0) {
        lo++;
    }
    while (hi > lo && origin + dilation * (hi - 1) >= extent) {
        hi--;
    }
    *first = lo;
    *last = hi;
}

/* The in-image taps of one output pixel's window, in (filter_y, filter_x) order (ConvWindow.Taps): after each
 * tt_taps_next that returns 1, tap is filter_y * kernel_w + filter_x and pixel the input pixel in_y * input_w + in_x it
 * reads. Start one with TT_TAPS, from a tt_conv2d_params or a tt_depthwise_conv2d_params. */
typedef struct {
    int32_t tap, pixel;
    int32_t kernel_w, input_w, dilation_h, dilation_w, in_y_origin, in_x_origin;
    int32_t filter_y, filter_x, y_last, x_first, x_last;
} tt_taps;

TT_INLINE tt_taps tt_taps_start(int32_t in_y_origin, int32_t in_x_origin, int32_t kernel_h, int32_t kernel_w, int32_t dilation_h,
                                int32_t dilation_w, int32_t input_h, int32_t input_w)
{
    tt_taps t;
    int32_t y_first;
    tt_window(in_y_origin, dilation_h, kernel_h, input_h, &y_first, &t.y_last);
    tt_window(in_x_origin, dilation_w, kernel_w, input_w, &t.x_first, &t.x_last);
    t.tap = t.pixel = 0;
    t.kernel_w = kernel_w, t.input_w = input_w, t.dilation_h = dilation_h, t.dilation_w = dilation_w;
    t.in_y_origin = in_y_origin, t.in_x_origin = in_x_origin;
    t.filter_y = y_first - 1, t.filter_x = t.x_last;
    return t;
}

#define TT_TAPS(p, out_y, out_x)                                                                                             \
    tt_taps_start((out_y) * (p)->stride_h - (p)->pad_top, (out_x) * (p)->stride_w - (p)->pad_left, (p)->kernel_h,        \
                  (p)->kernel_w, (p)->dilation_h, (p)->dilation_w, (p)->input_h, (p)->input_w)

/* Moves to the next in-image tap; returns 0 when there is none. */
TT_INLINE int tt_taps_next(tt_taps *t)
{
    if (++t->filter_x < t->x_last) {
        t->tap++;
        t->pixel += t->dilation_w;
        return 1;
    }

    if (++t->filter_y >= t->y_last || t->x_first >= t->x_last) {
        return 0;
    }

    t->filter_x = t->x_first;
    t->tap = t->filter_y * t->kernel_w + t->filter_x;
    t->pixel = (t->in_y_origin + t->dilation_h * t->filter_y) * t->input_w + t->in_x_origin + t->dilation_w * t->filter_x;
    return 1;
}

/* The in-image part of pool window (out_y, out_x) (PoolWindow): filter rows [y_start, y_end) and columns [x_start,
 * x_end), count positions; origin is the input index of filter tap (0, 0) at channel 0 (outside the image when the
 * window starts in the padding). Never empty: the compiler checks, as the C# kernels do. */
typedef struct {
    int32_t origin, y_start, y_end, x_start, x_end, count;
} tt_pool_window;

TT_INLINE tt_pool_window tt_pool_window_at(const tt_pool_params *p, int32_t out_y, int32_t out_x)
{
    tt_pool_window w;
    int32_t in_y_origin = out_y * p->stride_h - p->pad_top;
    int32_t in_x_origin = out_x * p->stride_w - p->pad_left;
    tt_window(in_y_origin, 1, p->filter_h, p->input_h, &w.y_start, &w.y_end);
    tt_window(in_x_origin, 1, p->filter_w, p->input_w, &w.x_start, &w.x_end);
    w.origin = (in_y_origin * p->input_w + in_x_origin) * p->channels;
    w.count = (w.y_end - w.y_start) * (w.x_end - w.x_start);
    return w;
}

/* The input index of filter tap (filter_y, filter_x) of window w in channel. */
TT_INLINE int32_t tt_pool_input(const tt_pool_params *p, const tt_pool_window *w, int32_t filter_y, int32_t filter_x,
                                int32_t channel)
{
    return w->origin + (filter_y * p->input_w + filter_x) * p->channels + channel;
}

#ifdef __cplusplus
}
#endif

#endif /* TINYTRAIN_INTERNAL_H */
