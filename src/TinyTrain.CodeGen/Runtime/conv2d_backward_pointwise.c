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
static void block_8x2(const float *g, const int32_t *offsets, int32_t rows, const int8_t *w, float *t, int32_t row,
                      int first)
{
    const float *end = g + rows * PIXELS;
    float a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;
#ifdef TT_VFP
    register float g0 __asm__("s0"), g1 __asm__("s1"), g2 __asm__("s2"), g3 __asm__("s3");
    register float g4 __asm__("s4"), g5 __asm__("s5"), g6 __asm__("s6"), g7 __asm__("s7");
#else
    float g0, g1, g2, g3, g4, g5, g6, g7;
#endif
    if (first) {
        a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = a60 = a61 = a70 = a71 = 0.0f;
    } else {
        a00 = t[0], a01 = t[1], a10 = t[row], a11 = t[row + 1], a20 = t[2 * row], a21 = t[2 * row + 1];
        a30 = t[3 * row], a31 = t[3 * row + 1], a40 = t[4 * row], a41 = t[4 * row + 1], a50 = t[5 * row];
        a51 = t[5 * row + 1], a60 = t[6 * row], a61 = t[6 * row + 1], a70 = t[7 * row], a71 = t[7 * row + 1];
    }

    while (g != end) {
        const int8_t *v = w + *offsets++;
        float w0 = (float)v[0], w1 = (float)v[1];
#ifdef TT_VFP
        __asm__("vldmia %[g]!, {s0-s7}"
                : [g] "+r"(g), "=t"(g0), "=t"(g1), "=t"(g2), "=t"(g3), "=t"(g4), "=t"(g5), "=t"(g6), "=t"(g7)
                : "m"(*(const float(*)[PIXELS])g));
#else
        g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4], g5 = g[5], g6 = g[6], g7 = g[7];
        g += PIXELS;
#endif
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
