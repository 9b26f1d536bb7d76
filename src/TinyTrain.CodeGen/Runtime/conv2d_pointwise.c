/* Conv2D's 1x1 path (and ConvDepthwise's, into channel planes): a 1x1 conv with stride 1 and no padding is a product of
 * the pixels (rows of input_c bytes) and the filter (rows of input_c bytes). With the DSP extension and input_c a
 * multiple of 4, four output channels a pixel (quads): their filter rows spread by SXTB16 once, each pixel's words
 * loaded and spread once for all four (tt_dot4, and the plain case's whole pixel loop in assembly); otherwise two pixels
 * by two output channels at a time, so that every loaded word is used twice. The input zero point is folded into the
 * bias: sum w * (x - zp) = sum w * x - zp * sum w, all exact integers. Same bytes as the C# reference kernel. */
#include <stddef.h>
#include <string.h>

#include "tinytrain_internal.h"

int tt_conv2d_is_pointwise(const tt_conv2d_params *p)
{
    return p->kernel_h == 1 && p->kernel_w == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
           p->pad_left == 0 && p->input_h == p->output_h && p->input_w == p->output_w;
}

/* s = { pixel 0 . channel 0, pixel 0 . channel 1, pixel 1 . channel 0, pixel 1 . channel 1 }, where pixel 1 is x + x_step
 * and channel 1 is w + w_step: the step is n (the next row) or 0 (an odd last pixel or channel, paired with itself). */
TT_INLINE void dot_2x2(const int8_t *x, int32_t x_step, const int8_t *w, int32_t w_step, int32_t n, int32_t *s)
{
    int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;
    const int8_t *end = x + n;
#ifdef TT_DSP
    for (; x + 4 <= end; x += 4, w += 4) {
        uint32_t a = tt_load32(x), b = tt_load32(x + x_step), v = tt_load32(w);
        int16x2_t a_even = __sxtb16((int8x4_t)a), a_odd = tt_sxtb16_odd(a);
        int16x2_t b_even = __sxtb16((int8x4_t)b), b_odd = tt_sxtb16_odd(b);
        int16x2_t v_even = __sxtb16((int8x4_t)v), v_odd = tt_sxtb16_odd(v);
        s00 = __smlad(v_even, a_even, s00);
        s00 = __smlad(v_odd, a_odd, s00);
        s10 = __smlad(v_even, b_even, s10);
        s10 = __smlad(v_odd, b_odd, s10);
        v = tt_load32(w + w_step);
        v_even = __sxtb16((int8x4_t)v);
        v_odd = tt_sxtb16_odd(v);
        s01 = __smlad(v_even, a_even, s01);
        s01 = __smlad(v_odd, a_odd, s01);
        s11 = __smlad(v_even, b_even, s11);
        s11 = __smlad(v_odd, b_odd, s11);
    }
#endif
    for (; x < end; x++, w++) {
        int32_t a = x[0], b = x[x_step], u = w[0], v = w[w_step];
        s00 += u * a;
        s01 += v * a;
        s10 += u * b;
        s11 += v * b;
    }
    s[0] = s00;
    s[1] = s01;
    s[2] = s10;
    s[3] = s11;
}

#ifdef TT_DSP
/* Two output channels' filter rows spread by SXTB16 once, on the stack, for dot_2x2_spread: inputs of up to this many
 * channels (a multiple of 4). */
#define SPREAD_MAX_INPUTS 640

/* Per word of both rows: (w0 even bytes, w0 odd bytes, w1 even bytes, w1 odd bytes); the rows' sums on the way. */
static void spread(const int8_t *w0, const int8_t *w1, int32_t n, int32_t *lanes, int32_t *sum0, int32_t *sum1)
{
    const int16x2_t ones = 0x00010001;
    int32_t i, a = 0, b = 0;
    for (i = 0; i < n; i += 4, lanes += 4) {
        uint32_t u = tt_load32(w0 + i), v = tt_load32(w1 + i);
        lanes[0] = __sxtb16((int8x4_t)u);
        lanes[1] = tt_sxtb16_odd(u);
        lanes[2] = __sxtb16((int8x4_t)v);
        lanes[3] = tt_sxtb16_odd(v);
        a = __smlad(lanes[1], ones, __smlad(lanes[0], ones, a));
        b = __smlad(lanes[3], ones, __smlad(lanes[2], ones, b));
    }
    *sum0 = a;
    *sum1 = b;
}

/* dot_2x2 against spread rows (n a multiple of 8 or of 4), added to s: each word of the two pixels spread once, the
 * rows' lanes loaded as they are; two words a pass. */
TT_INLINE void dot_2x2_spread(const int8_t *x, int32_t x_step, const int32_t *lanes, int32_t n, int32_t *s)
{
    int32_t s00 = s[0], s01 = s[1], s10 = s[2], s11 = s[3];
    const int8_t *end = x + (n & ~7);
    for (; x != end; x += 8, lanes += 8) {
        uint32_t a = tt_load32(x), b = tt_load32(x + x_step);
        int16x2_t a_even = __sxtb16((int8x4_t)a), a_odd = tt_sxtb16_odd(a);
        int16x2_t b_even = __sxtb16((int8x4_t)b), b_odd = tt_sxtb16_odd(b);
        s00 = __smlad(a_even, lanes[0], s00);
        s00 = __smlad(a_odd, lanes[1], s00);
        s10 = __smlad(b_even, lanes[0], s10);
        s10 = __smlad(b_odd, lanes[1], s10);
        s01 = __smlad(a_even, lanes[2], s01);
        s01 = __smlad(a_odd, lanes[3], s01);
        s11 = __smlad(b_even, lanes[2], s11);
        s11 = __smlad(b_odd, lanes[3], s11);
        a = tt_load32(x + 4);
        b = tt_load32(x + 4 + x_step);
        a_even = __sxtb16((int8x4_t)a), a_odd = tt_sxtb16_odd(a);
        b_even = __sxtb16((int8x4_t)b), b_odd = tt_sxtb16_odd(b);
        s00 = __smlad(a_even, lanes[4], s00);
        s00 = __smlad(a_odd, lanes[5], s00);
        s10 = __smlad(b_even, lanes[4], s10);
        s10 = __smlad(b_odd, lanes[5], s10);
        s01 = __smlad(a_even, lanes[6], s01);
        s01 = __smlad(a_odd, lanes[7], s01);
        s11 = __smlad(b_even, lanes[6], s11);
        s11 = __smlad(b_odd, lanes[7], s11);
    }
    if ((n & 4) != 0) {
        uint32_t a = tt_load32(x), b = tt_load32(x + x_step);
        int16x2_t a_even = __sxtb16((int8x4_t)a), a_odd = tt_sxtb16_odd(a);
        int16x2_t b_even = __sxtb16((int8x4_t)b), b_odd = tt_sxtb16_odd(b);
        s00 = __smlad(a_even, lanes[0], s00);
        s00 = __smlad(a_odd, lanes[1], s00);
        s10 = __smlad(b_even, lanes[0], s10);
        s10 = __smlad(b_odd, lanes[1], s10);
        s01 = __smlad(a_even, lanes[2], s01);
        s01 = __smlad(a_odd, lanes[3], s01);
        s11 = __smlad(b_even, lanes[2], s11);
        s11 = __smlad(b_odd, lanes[3], s11);
    }
    s[0] = s00;
    s[1] = s01;
    s[2] = s10;
    s[3] = s11;
}
#endif

#ifdef TT_DSP
/* One word of tt_dot4: x r0, lanes r1, the lanes r4-r7, the word r8 and its even half r12, the sums r9-r11 and lr. */
#define DOT4_WORD                                                                                                      \
    "ldr r8, [r0], #4\n\t"                                                                                             \
    "ldmia r1!, {r4, r5, r6, r7}\n\t"                                                                                  \
    "sxtb16 r12, r8\n\t"                                                                                              \
    "sxtb16 r8, r8, ror #8\n\t"                                                                                        \
    "smlad r9, r12, r4, r9\n\t"                                                                                       \
    "smlad r9, r8, r5, r9\n\t"                                                                                        \
    "smlad r10, r12, r6, r10\n\t"                                                                                     \
    "smlad r10, r8, r7, r10\n\t"                                                                                      \
    "ldmia r1!, {r4, r5, r6, r7}\n\t"                                                                                  \
    "smlad r11, r12, r4, r11\n\t"                                                                                     \
    "smlad r11, r8, r5, r11\n\t"                                                                                      \
    "smlad lr, r12, r6, lr\n\t"                                                                                       \
    "smlad lr, r8, r7, lr\n\t"

/* tt_dot4 (tinytrain_internal.h): x r0, lanes r1, words r2 (the end of the words once the odd one is done), sums r3. */
__attribute__((naked)) void tt_dot4(const int8_t *x __attribute__((unused)), const int32_t *lanes __attribute__((unused)),
                                    int32_t words __attribute__((unused)), int32_t *sums __attribute__((unused)))
{
    __asm__("push {r4-r11, lr}\n\t"
            "ldm r3, {r9, r10, r11, lr}\n\t"
            "tst r2, #1\n\t"
            "add r2, r0, r2, lsl #2\n\t"
            "beq 2f\n\t" DOT4_WORD "2:\n\t"
            "cmp r0, r2\n\t"
            "beq 3f\n"
            "1:\n\t" DOT4_WORD DOT4_WORD "cmp r0, r2\n\t"
            "bne 1b\n"
            "3:\n\t"
            "stm r3, {r9, r10, r11, lr}\n\t"
            "pop {r4-r11, pc}");
}

/* Inputs of up to this many channels (a multiple of 4) take four output channels at a time (quads): their filter rows
 * spread for tt_dot4 on the stack (2 words a byte of a row: 2.5 KB), each pixel's words loaded and spread once for all
 * four. */
#define QUAD_MAX_INPUTS 320

/* n bytes of rows [0, count) of filter (rows `stride` bytes apart; zero rows up to 4) spread for tt_dot4, their sums into
 * weights. */
static void spread4(const int8_t *filter, int32_t stride, int32_t n, int32_t count, int32_t *lanes, int32_t *weights)
{
    const int16x2_t ones = 0x00010001;
    int32_t i, k;
    if (count == 4) {
        /* The common case, unrolled: four words a pass, their sums in registers. */
        const int8_t *w0 = filter, *w1 = filter + stride, *w2 = filter + 2 * stride, *w3 = filter + 3 * stride;
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (i = 0; i < n; i += 4, lanes += 8) {
            const uint32_t v0 = tt_load32(w0 + i), v1 = tt_load32(w1 + i), v2 = tt_load32(w2 + i), v3 = tt_load32(w3 + i);
            const int16x2_t e0 = __sxtb16((int8x4_t)v0), o0 = tt_sxtb16_odd(v0), e1 = __sxtb16((int8x4_t)v1);
            const int16x2_t o1 = tt_sxtb16_odd(v1), e2 = __sxtb16((int8x4_t)v2), o2 = tt_sxtb16_odd(v2);
            const int16x2_t e3 = __sxtb16((int8x4_t)v3), o3 = tt_sxtb16_odd(v3);
            lanes[0] = e0, lanes[1] = o0, lanes[2] = e1, lanes[3] = o1, lanes[4] = e2, lanes[5] = o2, lanes[6] = e3;
            lanes[7] = o3;
            s0 = __smlad(o0, ones, __smlad(e0, ones, s0)), s1 = __smlad(o1, ones, __smlad(e1, ones, s1));
            s2 = __smlad(o2, ones, __smlad(e2, ones, s2)), s3 = __smlad(o3, ones, __smlad(e3, ones, s3));
        }
        weights[0] = s0, weights[1] = s1, weights[2] = s2, weights[3] = s3;
        return;
    }
    for (k = 0; k < 4; k++) {
        weights[k] = 0;
    }
    for (i = 0; i < n; i += 4) {
        for (k = 0; k < 4; k++, lanes += 2) {
            const uint32_t v = k < count ? tt_load32(filter + k * stride + i) : 0;
            lanes[0] = __sxtb16((int8x4_t)v);
            lanes[1] = tt_sxtb16_odd(v);
            weights[k] = __smlad(lanes[1], ones, __smlad(lanes[0], ones, weights[k]));
        }
    }
}

/* Every pixel of four channels on the fast requantisation, no mask: the sums start at the biases. The constants are
 * copied into locals, so that the int8 stores (which may alias anything) do not force them to be reloaded. in_magic: every
 * channel's zero point is in its rounding constant, so that the low byte of the float's bits is the output; packed: the
 * four outputs are adjacent (NHWC), one word. */
TT_INLINE void quads_plain_as(const int8_t *x, int32_t words, int32_t pixels, const int32_t *lanes,
                              const tt_channel_requant *r, int8_t *out, int32_t pixel_step, int32_t channel_step,
                              int in_magic, int packed)
{
    const tt_channel_requant r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3];
    const int32_t bytes = 4 * words;
    int32_t pixel;
    for (pixel = 0; pixel < pixels; pixel++, x += bytes, out += pixel_step) {
        int32_t s[4];
        uint32_t b0, b1, b2, b3;
        s[0] = r0.bias, s[1] = r1.bias, s[2] = r2.bias, s[3] = r3.bias;
        tt_dot4(x, lanes, words, s);
        b0 = (uint32_t)tt_channel_requantize_bits(&r0, s[0]), b1 = (uint32_t)tt_channel_requantize_bits(&r1, s[1]);
        b2 = (uint32_t)tt_channel_requantize_bits(&r2, s[2]), b3 = (uint32_t)tt_channel_requantize_bits(&r3, s[3]);
        if (!in_magic) {
            b0 += (uint32_t)r0.offset, b1 += (uint32_t)r1.offset, b2 += (uint32_t)r2.offset, b3 += (uint32_t)r3.offset;
        }
        if (packed) {
            const uint32_t word = (b0 & 0xFFu) | (b1 & 0xFFu) << 8 | (b2 & 0xFFu) << 16 | b3 << 24;
            memcpy(out, &word, 4); /* one (unaligned) store */
        } else {
            out[0] = (int8_t)b0;
            out[channel_step] = (int8_t)b1;
            out[2 * channel_step] = (int8_t)b2;
            out[3 * channel_step] = (int8_t)b3;
        }
    }
}

/* quads_run's work: its layout is the assembly's (the offsets in the comments). */
typedef struct {
    const int8_t *x;      /* 0: the first pixel's inputs, `bytes` bytes a pixel */
    const int32_t *lanes; /* 4 */
    int32_t bytes;        /* 8: 4 * words */
    int32_t pixels;       /* 12: counts down */
    int8_t *out;          /* 16: the pixel's first output, advances by pixel_step */
    int32_t pixel_step;   /* 20 */
    int32_t channel_step; /* 24 */
    int32_t bias[4];      /* 28: where each channel's sum starts */
    float consts[16];     /* 44: scale, low, high and magic of each channel */
} quads_job;

typedef char quads_job_layout[offsetof(quads_job, bias) == 28 && offsetof(quads_job, consts) == 44 ? 1 : -1];

/* The clamp of the fast requantisation (TT_CLAMP_FLOAT): VMAXNM / VMINNM on an FPv5, compares elsewhere. */
#if defined(__ARM_FP) && (__ARM_FP & 8)
#define CLAMP(x, low, high) "vmaxnm.f32 " x ", " x ", " low "\n\tvminnm.f32 " x ", " x ", " high "\n\t"
#else
#define CLAMP(x, low, high)                                                                                            \
    "vcmp.f32 " x ", " low "\n\tvmrs APSR_nzcv, fpscr\n\tit lt\n\tvmovlt.f32 " x ", " low "\n\t"                      \
    "vcmp.f32 " x ", " high "\n\tvmrs APSR_nzcv, fpscr\n\tit gt\n\tvmovgt.f32 " x ", " high "\n\t"
#endif

/* quads_plain_as for an even number of words and zero points in the rounding constants, the whole pixel loop in
 * assembly: per pixel the sums start at the biases (one LDM), tt_dot4's words, then each sum's requantisation
 * (tt_channel_requantize_bits, whose low byte is the output) with the constants in s16-s31, and four byte stores. The
 * job in r3; the pixel's inputs r0, lanes r1, their end r2; the lanes r4-r7, the word r8 and its even half r12, the sums
 * r9-r11 and lr (the stores use r4-r6 once the sums are done). */
__attribute__((naked)) static void quads_run(quads_job *job __attribute__((unused)))
{
    __asm__("push {r4-r11, lr}\n\t"
            "vpush {s16-s31}\n\t"
            "mov r3, r0\n\t"
            "add r12, r3, #44\n\t"
            "vldm r12, {s16-s31}\n\t"
            "ldr r0, [r3]\n"
            "1:\n\t"
            "ldr r2, [r3, #8]\n\t"
            "ldr r1, [r3, #4]\n\t"
            "add r2, r0, r2\n\t"
            "add r12, r3, #28\n\t"
            "ldm r12, {r9, r10, r11, lr}\n"
            "2:\n\t" DOT4_WORD DOT4_WORD "cmp r0, r2\n\t"
            "bne 2b\n\t"
            "vmov s0, s1, r9, r10\n\t"
            "vmov s2, s3, r11, lr\n\t"
            "vcvt.f32.s32 s0, s0\n\t"
            "vcvt.f32.s32 s1, s1\n\t"
            "vcvt.f32.s32 s2, s2\n\t"
            "vcvt.f32.s32 s3, s3\n\t"
            "vmul.f32 s0, s0, s16\n\t"
            "vmul.f32 s1, s1, s20\n\t"
            "vmul.f32 s2, s2, s24\n\t"
            "vmul.f32 s3, s3, s28\n\t" CLAMP("s0", "s17", "s18") CLAMP("s1", "s21", "s22") CLAMP("s2", "s25", "s26")
                CLAMP("s3", "s29", "s30") "vadd.f32 s0, s0, s19\n\t"
            "vadd.f32 s1, s1, s23\n\t"
            "vadd.f32 s2, s2, s27\n\t"
            "vadd.f32 s3, s3, s31\n\t"
            "vmov r9, r10, s0, s1\n\t"
            "vmov r11, lr, s2, s3\n\t"
            "ldr r4, [r3, #16]\n\t"
            "ldr r5, [r3, #24]\n\t"
            "strb r9, [r4]\n\t"
            "add r6, r4, r5\n\t"
            "strb r10, [r6]\n\t"
            "add r6, r6, r5\n\t"
            "strb r11, [r6]\n\t"
            "add r6, r6, r5\n\t"
            "strb lr, [r6]\n\t"
            "ldr r5, [r3, #20]\n\t"
            "add r4, r4, r5\n\t"
            "str r4, [r3, #16]\n\t"
            "ldr r5, [r3, #12]\n\t"
            "subs r5, r5, #1\n\t"
            "str r5, [r3, #12]\n\t"
            "bne 1b\n\t"
            "vpop {s16-s31}\n\t"
            "pop {r4-r11, pc}");
}
#undef CLAMP
#undef DOT4_WORD

static void quads_plain(const int8_t *x, int32_t words, int32_t pixels, const int32_t *lanes, const tt_channel_requant *r,
                        int8_t *out, int32_t pixel_step, int32_t channel_step)
{
    const int in_magic = ((r[0].offset | r[1].offset | r[2].offset | r[3].offset) & 0xFF) == 0;
    int32_t k;
    if (in_magic && words % 2 == 0 && pixels > 0) {
        quads_job job;
        job.x = x, job.lanes = lanes, job.bytes = 4 * words, job.pixels = pixels, job.out = out;
        job.pixel_step = pixel_step, job.channel_step = channel_step;
        for (k = 0; k < 4; k++) {
            job.bias[k] = r[k].bias;
            job.consts[4 * k] = r[k].scale, job.consts[4 * k + 1] = r[k].low, job.consts[4 * k + 2] = r[k].high;
            job.consts[4 * k + 3] = r[k].magic;
        }
        quads_run(&job);
        return;
    }
    if (in_magic && channel_step == 1) {
        quads_plain_as(x, words, pixels, lanes, r, out, pixel_step, channel_step, 1, 1);
    } else if (in_magic) {
        quads_plain_as(x, words, pixels, lanes, r, out, pixel_step, channel_step, 1, 0);
    } else {
        quads_plain_as(x, words, pixels, lanes, r, out, pixel_step, channel_step, 0, channel_step == 1);
    }
}

/* quads_plain's loop with the mask bits (index: NHWC index of the first channel's first output). */
static void quads_masked(const int8_t *x, int32_t words, int32_t pixels, const int32_t *lanes, const tt_channel_requant *r,
                         int8_t *out, int32_t pixel_step, int32_t channel_step, uint8_t *mask, int32_t index,
                         int32_t output_c)
{
    const tt_channel_requant r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3];
    const int32_t bytes = 4 * words;
    int32_t pixel;
    for (pixel = 0; pixel < pixels; pixel++, x += bytes, out += pixel_step, index += output_c) {
        int32_t s[4] = {0, 0, 0, 0};
        tt_dot4(x, lanes, words, s);
        out[0] = tt_channel_clamp_mask(&r0, tt_channel_requantize_unclamped(&r0, s[0]), mask, index);
        out[channel_step] = tt_channel_clamp_mask(&r1, tt_channel_requantize_unclamped(&r1, s[1]), mask, index + 1);
        out[2 * channel_step] = tt_channel_clamp_mask(&r2, tt_channel_requantize_unclamped(&r2, s[2]), mask, index + 2);
        out[3 * channel_step] = tt_channel_clamp_mask(&r3, tt_channel_requantize_unclamped(&r3, s[3]), mask, index + 3);
    }
}

/* tt_conv2d_pointwise four output channels at a time, for input_c a multiple of 4 up to QUAD_MAX_INPUTS. */
static void quads(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                  int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step, int32_t channel_step,
                  uint8_t *mask)
{
    const int32_t n = p->input_c, words = n / 4, pixels = p->output_h * p->output_w, output_c = p->output_c;
    const int64_t max_abs_sum = (int64_t)n * 128 * 128, zero = p->input_zero_point;
    int32_t lanes[QUAD_MAX_INPUTS * 2];
    int32_t k, j, pixel;
    for (k = 0; k < channels; k += 4) {
        const int32_t count = channels - k < 4 ? channels - k : 4, c = first_channel + k;
        int8_t *out = output + k * channel_step;
        tt_channel_requant r[4];
        int32_t weights[4];
        int64_t fold[4];
        int fast[4], all_fast = count == 4;
        spread4(filter + c * n, n, n, count, lanes, weights);
        for (j = 0; j < count; j++) {
            fold[j] = -zero * weights[j];
            fast[j] = tt_channel_requant_init(&r[j], &p->requant, bias, fold[j], p->output_zero_point, p->act_min,
                                              p->act_max, c + j, max_abs_sum);
            all_fast = all_fast && fast[j];
        }
        if (all_fast && mask == NULL) {
            quads_plain(input, words, pixels, lanes, r, out, pixel_step, channel_step);
            continue;
        }
        if (all_fast) {
            quads_masked(input, words, pixels, lanes, r, out, pixel_step, channel_step, mask, c, output_c);
            continue;
        }

        for (pixel = 0; pixel < pixels; pixel++) {
            int32_t s[4] = {0, 0, 0, 0};
            tt_dot4(input + pixel * n, lanes, words, s);
            for (j = 0; j < count; j++) {
                tt_conv2d_put(p, bias, &r[j], fast[j], fold[j], c + j, s[j], out + pixel * pixel_step + j * channel_step, mask,
                              pixel * output_c + c + j);
            }
        }
    }
}
#endif

#ifdef TT_DSP
/* Pixels whose sums wait on the stack in quads_chunked. */
#define CHUNK_PIXELS 16

/* quads for inputs of more than QUAD_MAX_INPUTS channels (a multiple of 4; the late layers, over few pixels): up to
 * CHUNK_PIXELS pixels at a time, their four sums taken over QUAD_MAX_INPUTS inputs at a time (the filter rows spread a
 * span at a time), each output through put. */
static __attribute__((noinline)) void quads_chunked(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter,
                                                    const int32_t *bias, int32_t first_channel, int32_t channels,
                                                    int8_t *output, int32_t pixel_step, int32_t channel_step,
                                                    uint8_t *mask)
{
    const int32_t n = p->input_c, pixels = p->output_h * p->output_w, output_c = p->output_c;
    const int64_t max_abs_sum = (int64_t)n * 128 * 128, zero = p->input_zero_point;
    int32_t lanes[QUAD_MAX_INPUTS * 2];
    int32_t sums[CHUNK_PIXELS][4];
    int32_t k, j, block, q, from;
    for (k = 0; k < channels; k += 4) {
        const int32_t count = channels - k < 4 ? channels - k : 4, c = first_channel + k;
        tt_channel_requant r[4];
        int32_t weights[4] = {0, 0, 0, 0};
        int64_t fold[4];
        int fast[4];
        for (block = 0; block < pixels; block += CHUNK_PIXELS) {
            const int32_t in_block = pixels - block < CHUNK_PIXELS ? pixels - block : CHUNK_PIXELS;
            for (from = 0; from < n; from += QUAD_MAX_INPUTS) {
                const int32_t span = n - from < QUAD_MAX_INPUTS ? n - from : QUAD_MAX_INPUTS;
                int32_t part[4];
                spread4(filter + c * n + from, n, span, count, lanes, part);
                for (j = 0; j < 4 && block == 0; j++) {
                    weights[j] += part[j];
                }
                for (q = 0; q < in_block; q++) {
                    if (from == 0) {
                        sums[q][0] = sums[q][1] = sums[q][2] = sums[q][3] = 0;
                    }
                    tt_dot4(input + (block + q) * n + from, lanes, span / 4, sums[q]);
                }
            }
            for (j = 0; j < count && block == 0; j++) {
                fold[j] = -zero * weights[j];
                fast[j] = tt_channel_requant_init(&r[j], &p->requant, bias, fold[j], p->output_zero_point, p->act_min,
                                                  p->act_max, c + j, max_abs_sum);
            }
            for (q = 0; q < in_block; q++) {
                const int32_t pixel = block + q;
                for (j = 0; j < count; j++) {
                    tt_conv2d_put(p, bias, &r[j], fast[j], fold[j], c + j, sums[q][j],
                                  output + pixel * pixel_step + (k + j) * channel_step, mask, pixel * output_c + c + j);
                }
            }
        }
    }
}
#endif

/* dot_2x2 of pixels x, x + x_step against rows w, w + w_step, or their spread lanes when spreads is set, the sums of
 * channel 0 starting at s0 and those of channel 1 at s1. */
TT_INLINE void dot(const int8_t *x, int32_t x_step, const int8_t *w, int32_t w_step, const int32_t *lanes, int spreads,
                   int32_t n, int32_t s0, int32_t s1, int32_t *s)
{
#ifdef TT_DSP
    if (spreads) {
        s[0] = s0, s[1] = s1, s[2] = s0, s[3] = s1;
        dot_2x2_spread(x, x_step, lanes, n, s);
        return;
    }
#else
    (void)lanes;
    (void)spreads;
#endif
    dot_2x2(x, x_step, w, w_step, n, s);
    s[0] += s0, s[1] += s1, s[2] += s0, s[3] += s1;
}

/* tt_conv2d_pointwise two pixels by two output channels at a time. */
static void pairs(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                  int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step, int32_t channel_step,
                  uint8_t *mask)
{
    const int32_t n = p->input_c, pixels = p->output_h * p->output_w, output_c = p->output_c;
    const int64_t max_abs_sum = (int64_t)n * 128 * 128, zero = p->input_zero_point;
    int32_t k;
    int spreads = 0;
#ifdef TT_DSP
    int32_t lanes[SPREAD_MAX_INPUTS];
#else
    int32_t *lanes = NULL;
#endif
    for (k = 0; k < channels; k += 2) {
        /* An odd last channel is computed twice and stored twice, to the same place. */
        const int32_t c0 = first_channel + k, c1 = k + 1 < channels ? c0 + 1 : c0;
        const int8_t *w0 = filter + c0 * n, *w1 = filter + c1 * n;
        int8_t *out0 = output + k * channel_step, *out1 = output + (c1 - first_channel) * channel_step;
        int32_t weights0 = 0, weights1 = 0, pixel, i;
        int64_t fold0, fold1;
        tt_channel_requant r0, r1;
        int fast;
#ifdef TT_DSP
        spreads = n % 4 == 0 && n <= SPREAD_MAX_INPUTS;
        if (spreads) {
            spread(w0, w1, n, lanes, &weights0, &weights1);
        }
#endif
        for (i = 0; i < n && !spreads; i++) {
            weights0 += w0[i];
            weights1 += w1[i];
        }
        fold0 = -zero * weights0;
        fold1 = -zero * weights1;
        fast = tt_channel_requant_init(&r0, &p->requant, bias, fold0, p->output_zero_point, p->act_min, p->act_max, c0, max_abs_sum);
        fast = tt_channel_requant_init(&r1, &p->requant, bias, fold1, p->output_zero_point, p->act_min, p->act_max, c1, max_abs_sum) &&
               fast;
        if (fast && mask == NULL) {
            /* The common case without the checks of put. */
            for (pixel = 0; pixel < pixels; pixel += 2) {
                const int32_t second = pixel + 1 < pixels ? pixel + 1 : pixel;
                int32_t s[4];
                dot(input + pixel * n, (second - pixel) * n, w0, (c1 - c0) * n, lanes, spreads, n, r0.bias, r1.bias, s);
                out0[pixel * pixel_step] = tt_channel_requantize_biased(&r0, s[0]);
                out1[pixel * pixel_step] = tt_channel_requantize_biased(&r1, s[1]);
                out0[second * pixel_step] = tt_channel_requantize_biased(&r0, s[2]);
                out1[second * pixel_step] = tt_channel_requantize_biased(&r1, s[3]);
            }
            continue;
        }

        for (pixel = 0; pixel < pixels; pixel += 2) {
            /* An odd last pixel pairs with itself. */
            const int32_t second = pixel + 1 < pixels ? pixel + 1 : pixel;
            int32_t s[4];
            dot(input + pixel * n, (second - pixel) * n, w0, (c1 - c0) * n, lanes, spreads, n, 0, 0, s);
            tt_conv2d_put(p, bias, &r0, fast, fold0, c0, s[0], out0 + pixel * pixel_step, mask, pixel * output_c + c0);
            tt_conv2d_put(p, bias, &r1, fast, fold1, c1, s[1], out1 + pixel * pixel_step, mask, pixel * output_c + c1);
            tt_conv2d_put(p, bias, &r0, fast, fold0, c0, s[2], out0 + second * pixel_step, mask, second * output_c + c0);
            tt_conv2d_put(p, bias, &r1, fast, fold1, c1, s[3], out1 + second * pixel_step, mask, second * output_c + c1);
        }
    }
}

void tt_conv2d_pointwise(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                         int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step, int32_t channel_step,
                         uint8_t *mask)
{
#ifdef TT_DSP
    if (p->input_c % 4 == 0 && p->input_c <= QUAD_MAX_INPUTS) {
        quads(p, input, filter, bias, first_channel, channels, output, pixel_step, channel_step, mask);
        return;
    }
    if (p->input_c % 4 == 0) {
        quads_chunked(p, input, filter, bias, first_channel, channels, output, pixel_step, channel_step, mask);
        return;
    }
#endif
    pairs(p, input, filter, bias, first_channel, channels, output, pixel_step, channel_step, mask);
}
