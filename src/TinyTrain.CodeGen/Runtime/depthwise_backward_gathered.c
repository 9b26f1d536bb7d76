/* DepthwiseConv2D's input gradient with an int8 filter, depth multiplier 1 and dilation 1, gathered. depthwise_conv2d.c
 * scatters: input gradient [y][x][c] starts at +0 and adds grad[oy][ox][c] * w[ky][kx][c] for the outputs whose window
 * covers (y, x), in raster order, skipping zero gradients (their +-0 products leave such a sum unchanged). An output covers
 * (y, x) at one tap only, so gathering the outputs in raster order adds the same products in the same order: the same
 * floats. Eight channels at a time, their taps converted to float once, on the stack. */
#include "tinytrain_internal.h"

#define LANES 8
#define TAPS_MAX 64 /* kernels up to 8x8: 2 KB of float taps */

int tt_depthwise_input_grad_gathers(const tt_depthwise_conv2d_params *p)
{
    return p->depth_multiplier == 1 && p->dilation_h == 1 && p->dilation_w == 1 && p->pad_top >= 0 && p->pad_left >= 0 &&
           p->kernel_h * p->kernel_w <= TAPS_MAX;
}

/* [*first, *last] of the outputs along an axis whose windows cover input position at (tap at + pad - out * stride). */
static void covering(int32_t at, int32_t pad, int32_t kernel, int32_t stride, int32_t outputs, int32_t *first, int32_t *last)
{
    int32_t reach = at + pad, low = reach - (kernel - 1);
    *first = low <= 0 ? 0 : (low + stride - 1) / stride;
    *last = reach / stride < outputs - 1 ? reach / stride : outputs - 1;
}

/* One input pixel's lanes: t[j] = sum over rows x cols outputs of g[j] * w[j], from +0, g and w moving by their steps. */
static void pixel(const float *g, int32_t g_row, int32_t g_step, const float *w, int32_t w_row, int32_t w_step, int32_t rows,
                  int32_t cols, int32_t lanes, float *t)
{
    float a[LANES] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
    int32_t r, c, j;
    for (r = 0; r < rows; r++, g += g_row, w += w_row) {
        const float *x = g, *v = w;
        for (c = 0; c < cols; c++, x += g_step, v += w_step) {
            for (j = 0; j < lanes; j++) {
                a[j] = tt_mla(a[j], x[j], v[j]);
            }
        }
    }
    for (j = 0; j < lanes; j++) {
        t[j] = a[j];
    }
}

#ifdef TT_VFP
/* pixel() for eight lanes: a VLDM of eight gradients and one of eight taps, then eight VMLAs, per output. */
static void pixel_8(const float *g, int32_t g_row, int32_t g_step, const float *w, int32_t w_row, int32_t w_step, int32_t rows,
                    int32_t cols, float *t)
{
    register float x0 __asm__("s0"), x1 __asm__("s1"), x2 __asm__("s2"), x3 __asm__("s3");
    register float x4 __asm__("s4"), x5 __asm__("s5"), x6 __asm__("s6"), x7 __asm__("s7");
    register float v0 __asm__("s8"), v1 __asm__("s9"), v2 __asm__("s10"), v3 __asm__("s11");
    register float v4 __asm__("s12"), v5 __asm__("s13"), v6 __asm__("s14"), v7 __asm__("s15");
    float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f, a4 = 0.0f, a5 = 0.0f, a6 = 0.0f, a7 = 0.0f;
    int32_t r, c;
    for (r = 0; r < rows; r++, g += g_row, w += w_row) {
        const float *x = g, *v = w;
        for (c = 0; c < cols; c++, x += g_step, v += w_step) {
            __asm__("vldmia %[x], {s0-s7}"
                    : "=t"(x0), "=t"(x1), "=t"(x2), "=t"(x3), "=t"(x4), "=t"(x5), "=t"(x6), "=t"(x7)
                    : [x] "r"(x), "m"(*(const float(*)[LANES])x));
            __asm__("vldmia %[v], {s8-s15}"
                    : "=t"(v0), "=t"(v1), "=t"(v2), "=t"(v3), "=t"(v4), "=t"(v5), "=t"(v6), "=t"(v7)
                    : [v] "r"(v), "m"(*(const float(*)[LANES])v));
            a0 = tt_mla(a0, x0, v0), a1 = tt_mla(a1, x1, v1), a2 = tt_mla(a2, x2, v2), a3 = tt_mla(a3, x3, v3);
            a4 = tt_mla(a4, x4, v4), a5 = tt_mla(a5, x5, v5), a6 = tt_mla(a6, x6, v6), a7 = tt_mla(a7, x7, v7);
        }
    }
    t[0] = a0, t[1] = a1, t[2] = a2, t[3] = a3, t[4] = a4, t[5] = a5, t[6] = a6, t[7] = a7;
}
#endif

void tt_depthwise_input_grad_gathered(const tt_depthwise_conv2d_params *p, const float *acc_grad, const int8_t *filter,
                                      float *input_grad)
{
    const int32_t channels = p->input_c, kernel_w = p->kernel_w, taps = p->kernel_h * kernel_w;
    const int32_t g_row = p->output_w * channels, w_row = -p->stride_h * kernel_w * LANES;
    const int32_t w_step = -p->stride_w * LANES;
    float w[TAPS_MAX * LANES];
    int32_t first, lanes, tap, j, y, x, y_first, y_last, x_first, x_last;
    for (first = 0; first < channels; first += LANES) {
        lanes = channels - first < LANES ? channels - first : LANES;
        for (tap = 0; tap < taps; tap++) {
            for (j = 0; j < lanes; j++) {
                w[tap * LANES + j] = (float)filter[tap * channels + first + j];
            }
        }
        for (y = 0; y < p->input_h; y++) {
            covering(y, p->pad_top, p->kernel_h, p->stride_h, p->output_h, &y_first, &y_last);
            for (x = 0; x < p->input_w; x++) {
                float *t = input_grad + (y * p->input_w + x) * channels + first;
                const float *g = acc_grad + (y_first * p->output_w) * channels + first;
                const float *v = w + ((y + p->pad_top - y_first * p->stride_h) * kernel_w) * LANES;
                int32_t rows, cols;
                covering(x, p->pad_left, kernel_w, p->stride_w, p->output_w, &x_first, &x_last);
                rows = y_last - y_first + 1;
                cols = x_last - x_first + 1;
                if (rows <= 0 || cols <= 0) {
                    for (j = 0; j < lanes; j++) {
                        t[j] = 0.0f;
                    }
                    continue;
                }

                g += x_first * channels;
                v += (x + p->pad_left - x_first * p->stride_w) * LANES;
#ifdef TT_VFP
                if (lanes == LANES) {
                    pixel_8(g, g_row, channels, v, w_row, w_step, rows, cols, t);
                    continue;
                }
#endif
                pixel(g, g_row, channels, v, w_row, w_step, rows, cols, lanes, t);
            }
        }
    }
}
