/* Conv2D's input gradient for a 1x1 conv with stride 1 and no padding, gathered. conv2d_backward.c scatters: input
 * gradient [pixel][c] starts at +0 and adds grad[pixel][o] * w[o][c] for o in order, skipping zero gradients, whose +-0
 * products leave such a sum unchanged. Here each input gradient is that sum, from +0, over every o in the same order:
 * the same float. Eight pixels by two channels at a time, so that one weight converted to float serves eight pixels;
 * the gradients of eight pixels are laid out [o][pixel] on the stack, a row of eight for one VLDM, leaving out the output
 * channels whose eight gradients are all zero (their terms are +-0, as the scatter's skipped ones: often whole channels
 * behind a ReLU's mask); each kept row goes with its channel's offset in the filter. */
#include <string.h>

#include "tinytrain_internal.h"

#define PIXELS 8
#define CHUNK 32 /* output channels per pass over the layout; the sums wait in the output between passes */

/* Eight pixels by one channel: the odd last channel. */
static void block_8x1(const float *g, const int32_t *offsets, int32_t rows, const int8_t *w, float *t, int32_t row,
                      int first)
{
    int32_t j, o;
    for (j = 0; j < PIXELS; j++) {
        float a = first ? 0.0f : t[j * row];
        for (o = 0; o < rows; o++) {
            a = tt_mla(a, g[o * PIXELS + j], (float)w[offsets[o]]);
        }
        t[j * row] = a;
    }
}

/* Eight pixels by two channels: t[j * row + c] += sum over kept rows o of g[o * 8 + j] * w[offsets[o] + c] (first: from
 * +0). */
#if defined(TT_VFP) && defined(TT_DSP)
/* An assembly function, the sixteen sums in s16-s31: per kept row its eight gradients (one VLDM), its two weights (two
 * LDRSB from the row's offset, one VMOV to the FPU, two VCVT) and sixteen VMLA. GCC computed each weight's address apart
 * and moved each weight alone, and inline assembly cannot take sixteen sums as operands. g r0, offsets r1, rows r2 (then
 * the end of the gradients), w r3; t, row and first on the stack (at sp + 84 after the pushes); w + 1 r6, the row's
 * offset r7, the weights r12 and lr, t r4, the pitch in bytes r5. */
#define PAIR_ROWS(op) op(16, 17) op(18, 19) op(20, 21) op(22, 23) op(24, 25) op(26, 27) op(28, 29) op(30, 31)
#define ZERO(a, b) "vmov s" #a ", s" #b ", r7, r7\n\t"
#define LOAD(a, b) "vldr s" #a ", [r7]\n\tvldr s" #b ", [r7, #4]\n\tadd r7, r7, r5\n\t"
#define STORE(a, b) "vstr s" #a ", [r7]\n\tvstr s" #b ", [r7, #4]\n\tadd r7, r7, r5\n\t"
/* One kept row (two a pass, after an odd one first). */
#define ROW                                                                                                            \
    "ldr r7, [r1], #4\n\t"                                                                                             \
    "vldmia r0!, {s0-s7}\n\t"                                                                                          \
    "ldrsb r12, [r3, r7]\n\t"                                                                                         \
    "ldrsb lr, [r6, r7]\n\t"                                                                                          \
    "vmov s8, s9, r12, lr\n\t"                                                                                        \
    "vcvt.f32.s32 s8, s8\n\t"                                                                                         \
    "vcvt.f32.s32 s9, s9\n\t"                                                                                         \
    "vmla.f32 s16, s0, s8\n\tvmla.f32 s17, s0, s9\n\t"                                                               \
    "vmla.f32 s18, s1, s8\n\tvmla.f32 s19, s1, s9\n\t"                                                               \
    "vmla.f32 s20, s2, s8\n\tvmla.f32 s21, s2, s9\n\t"                                                               \
    "vmla.f32 s22, s3, s8\n\tvmla.f32 s23, s3, s9\n\t"                                                               \
    "vmla.f32 s24, s4, s8\n\tvmla.f32 s25, s4, s9\n\t"                                                               \
    "vmla.f32 s26, s5, s8\n\tvmla.f32 s27, s5, s9\n\t"                                                               \
    "vmla.f32 s28, s6, s8\n\tvmla.f32 s29, s6, s9\n\t"                                                               \
    "vmla.f32 s30, s7, s8\n\tvmla.f32 s31, s7, s9\n\t"
__attribute__((naked)) static void block_8x2(const float *g __attribute__((unused)),
                                             const int32_t *offsets __attribute__((unused)),
                                             int32_t rows __attribute__((unused)), const int8_t *w __attribute__((unused)),
                                             float *t __attribute__((unused)), int32_t row __attribute__((unused)),
                                             int first __attribute__((unused)))
{
    __asm__("push {r4-r7, lr}\n\t"
            "vpush {s16-s31}\n\t"
            "ldr r4, [sp, #84]\n\t"
            "ldr r5, [sp, #88]\n\t"
            "ldr r6, [sp, #92]\n\t"
            "lsls r5, r5, #2\n\t"
            "add r2, r0, r2, lsl #5\n\t"
            "cmp r6, #0\n\t"
            "beq 2f\n\t"
            "movs r7, #0\n\t" PAIR_ROWS(ZERO) "b 3f\n"
            "2:\n\t"
            "mov r7, r4\n\t" PAIR_ROWS(LOAD)
            "3:\n\t"
            "adds r6, r3, #1\n\t"
            "subs r7, r2, r0\n\t"
            "tst r7, #32\n\t"
            "beq 6f\n\t" ROW "6:\n\t"
            "cmp r0, r2\n\t"
            "beq 5f\n"
            "4:\n\t" ROW ROW "cmp r0, r2\n\t"
            "bne 4b\n"
            "5:\n\t"
            "mov r7, r4\n\t" PAIR_ROWS(STORE)
            "vpop {s16-s31}\n\t"
            "pop {r4-r7, pc}");
}
#undef PAIR_ROWS
#undef ZERO
#undef LOAD
#undef STORE
#undef ROW
#else
static void block_8x2(const float *g, const int32_t *offsets, int32_t rows, const int8_t *w, float *t, int32_t row,
                      int first)
{
    const float *end = g + rows * PIXELS;
    float a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;
    if (first) {
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = a60 = a61 = a70 = a71 = 0.0f;
    } else {
        a00 = t[0], a01 = t[1], a10 = t[row], a11 = t[row + 1], a20 = t[2 * row], a21 = t[2 * row + 1];
        a30 = t[3 * row], a31 = t[3 * row + 1], a40 = t[4 * row], a41 = t[4 * row + 1], a50 = t[5 * row];
        a51 = t[5 * row + 1], a60 = t[6 * row], a61 = t[6 * row + 1], a70 = t[7 * row], a71 = t[7 * row + 1];
    }

    while (g != end) {
        const int8_t *v = w + *offsets++;
        const float w0 = (float)v[0], w1 = (float)v[1];
        const float g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4], g5 = g[5], g6 = g[6], g7 = g[7];
        g += PIXELS;
        a00 = tt_mla(a00, g0, w0), a01 = tt_mla(a01, g0, w1);
        a10 = tt_mla(a10, g1, w0), a11 = tt_mla(a11, g1, w1);
        a20 = tt_mla(a20, g2, w0), a21 = tt_mla(a21, g2, w1);
        a30 = tt_mla(a30, g3, w0), a31 = tt_mla(a31, g3, w1);
        a40 = tt_mla(a40, g4, w0), a41 = tt_mla(a41, g4, w1);
        a50 = tt_mla(a50, g5, w0), a51 = tt_mla(a51, g5, w1);
        a60 = tt_mla(a60, g6, w0), a61 = tt_mla(a61, g6, w1);
        a70 = tt_mla(a70, g7, w0), a71 = tt_mla(a71, g7, w1);
    }

    t[0] = a00, t[1] = a01, t[row] = a10, t[row + 1] = a11, t[2 * row] = a20, t[2 * row + 1] = a21;
    t[3 * row] = a30, t[3 * row + 1] = a31, t[4 * row] = a40, t[4 * row + 1] = a41, t[5 * row] = a50;
    t[5 * row + 1] = a51, t[6 * row] = a60, t[6 * row + 1] = a61, t[7 * row] = a70, t[7 * row + 1] = a71;
}
#endif

void tt_conv2d_input_grad_pointwise(const tt_conv2d_params *p, const float *acc_grad, const int8_t *filter,
                                    float *input_grad)
{
    const int32_t pixels = p->input_h * p->input_w, outputs = p->output_c, inputs = p->input_c;
    float layout[CHUNK * PIXELS];
    int32_t offsets[CHUNK];
    int32_t pixel, first, o, c, j;
    for (pixel = 0; pixel + PIXELS <= pixels; pixel += PIXELS) {
        float *t = input_grad + pixel * inputs;
        for (first = 0; first < outputs; first += CHUNK) {
            const int32_t chunk = outputs - first < CHUNK ? outputs - first : CHUNK;
            int32_t rows = 0;
            for (o = 0; o < chunk; o++) {
                const float *from = acc_grad + pixel * outputs + first + o;
                float *to = layout + rows * PIXELS;
                uint32_t any = 0; /* the bits of the eight gradients but their signs */
                for (j = 0; j < PIXELS; j++, from += outputs) {
                    uint32_t bits;
                    memcpy(&bits, from, 4);
                    any |= bits << 1;
                    to[j] = *from;
                }
                if (any != 0) {
                    offsets[rows++] = (first + o) * inputs;
                }
            }
            for (c = 0; c + 2 <= inputs; c += 2) {
                block_8x2(layout, offsets, rows, filter + c, t + c, inputs, first == 0);
            }
            if (c < inputs) {
                block_8x1(layout, offsets, rows, filter + c, t + c, inputs, first == 0);
            }
        }
    }

    for (; pixel < pixels; pixel++) {
        const float *g = acc_grad + pixel * outputs;
        for (c = 0; c < inputs; c++) {
            float a = 0.0f;
            for (o = 0; o < outputs; o++) {
                a = tt_mla(a, g[o], (float)filter[o * inputs + c]);
            }
            input_grad[pixel * inputs + c] = a;
        }
    }
}
