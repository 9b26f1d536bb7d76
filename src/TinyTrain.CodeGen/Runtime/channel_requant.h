/*
 * TinyTrain C runtime, internal: the fast path of the float requantisation, one output channel at a time
 * (tt_channel_requant). Included by tinytrain_internal.h, after the helpers it uses (TT_INLINE, tt_requantize_value).
 */
#ifndef TINYTRAIN_CHANNEL_REQUANT_H
#define TINYTRAIN_CHANNEL_REQUANT_H

/* ---------------------------------------------------------------------------------------------------------
 * The fast path of the float requantisation, one output channel at a time: set up once per channel, then about ten
 * instructions per output on a Cortex-M7 (tt_requantize's general path takes about fifty). Same integers.
 * ------------------------------------------------------------------------------------------------------- */

/* Clamps of a float that is never NaN: VMAXNM / VMINNM on a Cortex-M7's FPv5 (the only Cortex-M FPU with double
 * precision, bit 3 of __ARM_FP), compare and branch elsewhere (fminf would be a library call on a Cortex-M4). */
#if defined(__ARM_FP) && (__ARM_FP & 8)
#define TT_CLAMP_FLOAT(x, low, high) fminf(fmaxf((x), (low)), (high))
#else
#define TT_CLAMP_FLOAT(x, low, high) ((x) > (high) ? (high) : (x) < (low) ? (low) : (x))
#endif

typedef struct {
    float scale;
    float low, high; /* act_min - zero point, act_max - zero point (see tt_channel_requantize) */
    int32_t bias;    /* bias[channel] (0 without it) plus whatever the kernel folded into it */
    float magic;     /* 1.5 * 2^23, plus the zero point when it is even (see tt_channel_requantize_unclamped) */
    int32_t offset;  /* the zero point when it is not in magic, - 0x4B400000 */
    int32_t min, max;
} tt_channel_requant;

/* Sets r up for channel, with fold added to its bias (a kernel that sums w * x folds - zero_point * sum w here). False
 * when the fast path would not give tt_requantize's integers: the fixed-point mode, a sum + bias that might leave int32
 * for sums of magnitude up to max_abs_sum (tt_requantize adds them in int64) unless the output is the same for all of
 * them, or an activation range past +-2^20 of the zero point. */
static inline int tt_channel_requant_init(tt_channel_requant *r, const tt_requantization *requant, const int32_t *bias,
                                          int64_t fold, int32_t zero_point, int32_t min, int32_t max, int32_t channel,
                                          int64_t max_abs_sum)
{
    int64_t b = (bias == NULL ? 0 : (int64_t)bias[channel]) + fold;
    int64_t low = (int64_t)min - zero_point, high = (int64_t)max - zero_point;
    int fits = requant->mode == TT_REQUANT_FLOAT && b <= (int64_t)INT32_MAX - max_abs_sum &&
               b >= (int64_t)INT32_MIN + max_abs_sum && zero_point <= (1 << 24) && zero_point >= -(1 << 24) &&
               low >= -(1 << 20) && high <= (1 << 20);
    /* An even zero point (the usual -128) is added with the rounding (see tt_channel_requantize_unclamped). */
    const int in_magic = fits && zero_point % 2 == 0 && zero_point >= -(1 << 21) && zero_point <= (1 << 21);
    r->scale = fits ? requant->scale[requant->count == 1 ? 0 : channel] : 0.0f;
    r->low = fits ? (float)low : 0.0f;
    r->high = fits ? (float)high : 0.0f;
    r->bias = fits ? (int32_t)b : 0;
    r->magic = 12582912.0f + (float)(in_magic ? zero_point : 0);
    r->offset = fits ? (in_magic ? 0 : zero_point) - 0x4B400000 : 0;
    r->min = min;
    r->max = max;
    if (!fits && requant->mode == TT_REQUANT_FLOAT && min >= -(1 << 20) && max <= (1 << 20) && min <= max) {
        /* The float value is monotonic in the sum: when both ends of the sums' range give the same output and mask bit
         * (a saturated bias swamps any sum), so does every sum. Then a constant channel on the fast path: scale 0, the
         * value (one past the range when outside it, which keeps the clamp and the mask bit) in the offset. */
        const float scale = requant->scale[requant->count == 1 ? 0 : channel];
        int32_t ends[2], k;
        for (k = 0; k < 2 && scale - scale == 0.0f; k++) {
            ends[k] = tt_requantize_value(requant, channel, k == 0 ? b - max_abs_sum : b + max_abs_sum, zero_point);
            ends[k] = ends[k] < min ? min - 1 : ends[k] > max ? max + 1 : ends[k];
        }
        if (k == 2 && ends[0] == ends[1]) {
            const int32_t output = ends[0] < min ? min : ends[0] > max ? max : ends[0];
            r->scale = 0.0f;
            r->low = r->high = (float)(output - ends[0]);
            r->bias = 0;
            r->magic = 12582912.0f;
            r->offset = ends[0] - 0x4B400000;
            return 1;
        }
    }
    return fits;
}

/* round_half_even(clamp((float)(sum + bias) * scale, +-2^20)) + zero point, before the activation clamp. Adding
 * 1.5 * 2^23 to a float of magnitude at most 2^22 rounds it to an integer, half to even (the default rounding mode, as
 * rintf), and leaves 0x4B400000 + that integer in the float's bits. Adding an even integer too (an even zero point of up
 * to 2^21) moves the ties by an even amount: the same integer, plus it. */
TT_INLINE int32_t tt_channel_requantize_unclamped(const tt_channel_requant *r, int32_t sum)
{
    float real = (float)(sum + r->bias) * r->scale;
    union {
        float f;
        int32_t i;
    } bits;
    real = TT_CLAMP_FLOAT(real, -1048576.0f, 1048576.0f);
    bits.f = real + r->magic;
    return bits.i + r->offset;
}

/* tt_channel_requantize_unclamped and then the activation clamp, with the clamp done on the float instead: rounding is
 * monotonic and low and high are integers, so the rounded clamped float is the clamped rounded one, and [low, high] lies
 * inside +-2^20, which leaves that clamp nothing to do. total is the sum with r->bias already added (a kernel may start
 * its sums at the bias). tt_channel_requantize_bits is the float's bits: their low byte is the int8 result when that of
 * r->offset is 0 (the zero point is in r->magic). */
TT_INLINE int32_t tt_channel_requantize_bits(const tt_channel_requant *r, int32_t total)
{
    float real = (float)total * r->scale;
    union {
        float f;
        int32_t i;
    } bits;
    real = TT_CLAMP_FLOAT(real, r->low, r->high);
    bits.f = real + r->magic;
    return bits.i;
}

TT_INLINE int8_t tt_channel_requantize_biased(const tt_channel_requant *r, int32_t total)
{
    return (int8_t)(tt_channel_requantize_bits(r, total) + r->offset);
}

TT_INLINE int8_t tt_channel_requantize(const tt_channel_requant *r, int32_t sum)
{
    return tt_channel_requantize_biased(r, sum + r->bias);
}

/* tt_sgd_round_to_int8 inline, for a value that is not NaN: clamped to +-127, then rounded half to even by adding
 * 1.5 * 2^23 (see tt_channel_requantize_unclamped). */
TT_INLINE int8_t tt_round_to_int8(float value)
{
    union {
        float f;
        int32_t i;
    } bits;
    bits.f = TT_CLAMP_FLOAT(value, -127.0f, 127.0f) + 12582912.0f;
    return (int8_t)(bits.i - 0x4B400000);
}

/* The activation clamp with the mask bit of tt_requantize (set when the value lies inside [min, max]). */
TT_INLINE int8_t tt_channel_clamp_mask(const tt_channel_requant *r, int32_t value, uint8_t *mask, int32_t index)
{
    if (value >= r->min && value <= r->max) {
        mask[index >> 3] |= (uint8_t)(1u << (index & 7));
        return (int8_t)value;
    }

    return (int8_t)(value < r->min ? r->min : r->max);
}

/* One conv output (conv2d_pointwise.c, conv2d_pointwise_quads.c, conv2d_patches.c): the fast requantisation when the channel allows it (raw is the
 * sum the kernel made, w * x; r's bias holds the fold), tt_requantize with the int64 sum raw + fold otherwise. */
TT_INLINE void tt_conv2d_put(const tt_conv2d_params *p, const int32_t *bias, const tt_channel_requant *r, int fast, int64_t fold,
                             int32_t channel, int32_t raw, int8_t *out, uint8_t *mask, int32_t index)
{
    if (fast) {
        *out = mask == NULL ? tt_channel_requantize(r, raw)
                            : tt_channel_clamp_mask(r, tt_channel_requantize_unclamped(r, raw), mask, index);
    } else {
        *out = tt_requantize(&p->requant, bias, p->output_zero_point, p->act_min, p->act_max, channel, (int64_t)raw + fold,
                             mask, index);
    }
}

#endif /* TINYTRAIN_CHANNEL_REQUANT_H */
