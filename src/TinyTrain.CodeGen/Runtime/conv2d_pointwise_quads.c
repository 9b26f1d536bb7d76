/* Conv2D's 1x1 path with the DSP extension, for input_c a multiple of 4 (conv2d_pointwise.c takes the rest; without the
 * DSP extension this file holds nothing): four output
 * channels a pixel (quads). Their filter rows are spread by SXTB16 once, on the stack, and each pixel's words are loaded
 * and spread once for all four (tt_dot4); the plain case runs its whole pixel loop in assembly (quads_run). The input zero
 * point is folded into the bias, as in conv2d_pointwise.c. Same bytes as the C# reference kernel. */
#include <stddef.h>

#include "tinytrain_internal.h"

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

/* Every pixel of four channels on the fast requantisation, no mask: the sums start at the biases, the constants copied
 * into locals (the int8 stores may alias anything, and would force them to be reloaded). The loop quads_run does not
 * take: an odd number of words, or an odd zero point. */
static __attribute__((noinline)) void quads_plain_c(const int8_t *x, int32_t words, int32_t pixels, const int32_t *lanes,
                                                    const tt_channel_requant *r, int8_t *out, int32_t pixel_step,
                                                    int32_t channel_step)
{
    const tt_channel_requant r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3];
    const int32_t bytes = 4 * words;
    int32_t pixel;
    for (pixel = 0; pixel < pixels; pixel++, x += bytes, out += pixel_step) {
        tt_dot4_requantize(x, lanes, words, &r0, &r1, &r2, &r3, out, channel_step);
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

/* quads_plain_c for an even number of words and zero points in the rounding constants, the whole pixel loop in
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
    } else {
        quads_plain_c(x, words, pixels, lanes, r, out, pixel_step, channel_step);
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

/* Four output channels at a time, for input_c a multiple of 4 up to QUAD_MAX_INPUTS. */
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

void tt_conv2d_pointwise_quads(const tt_conv2d_params *p, const int8_t *input, const int8_t *filter, const int32_t *bias,
                               int32_t first_channel, int32_t channels, int8_t *output, int32_t pixel_step,
                               int32_t channel_step, uint8_t *mask)
{
    if (p->input_c <= QUAD_MAX_INPUTS) {
        quads(p, input, filter, bias, first_channel, channels, output, pixel_step, channel_step, mask);
    } else {
        quads_chunked(p, input, filter, bias, first_channel, channels, output, pixel_step, channel_step, mask);
    }
}
#endif
