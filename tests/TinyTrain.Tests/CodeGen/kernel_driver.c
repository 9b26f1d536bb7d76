/* Test driver of the C runtime: runs every case of a request file through one kernel and writes what the kernel
 * wrote. Test code, so it allocates: each buffer exactly as large as its tensor, so a sanitizer sees overruns.
 *
 * Request (little endian): "TTKR", u32 cases; per case: u32 kernel, u32 n, i32[n] ints, u32 n, f32[n] floats,
 * u32 n, n x (u32 bytes, bytes) inputs, u32 n, n x (u32 bytes, bytes) outputs' initial contents.
 * Response: per case: u32 n, n x (u32 bytes, bytes) outputs after the kernel. An empty input is passed as NULL.
 * Kernel ids: CKernel.cs. Usage: kernel_driver REQUEST RESPONSE; without arguments (bare metal, semihosting)
 * request.bin and response.bin in the working folder. */
#include <string.h>

#include "kernel_request.h"
#include "tinytrain_internal.h"

/* Requantisation from inputs first (scale), first + 1 (multiplier), first + 2 (shift). */
static tt_requantization requant(const request *r, int32_t mode, uint32_t first)
{
    tt_requantization q;
    q.mode = (tt_requant_mode)mode;
    q.scale = (const float *)in(r, first);
    q.multiplier = (const int32_t *)in(r, first + 1);
    q.shift = (const int32_t *)in(r, first + 2);
    q.count = mode == TT_REQUANT_FLOAT ? in_count(r, first, 4) : in_count(r, first + 1, 4);
    return q;
}

/* The conv and the depthwise conv share their parameter layout but for field 5 (output_c / depth_multiplier): ints
 * [at, at + 19), the requantisation from inputs first..first + 2. */
#define WINDOW_PARAMS(p, v, field5, r, first)                                                                        \
    do {                                                                                                           \
        (p).input_h = (v)[0]; (p).input_w = (v)[1]; (p).input_c = (v)[2];                                          \
        (p).output_h = (v)[3]; (p).output_w = (v)[4]; (p).field5 = (v)[5];                                         \
        (p).kernel_h = (v)[6]; (p).kernel_w = (v)[7]; (p).stride_h = (v)[8]; (p).stride_w = (v)[9];                \
        (p).dilation_h = (v)[10]; (p).dilation_w = (v)[11]; (p).pad_top = (v)[12]; (p).pad_left = (v)[13];        \
        (p).input_zero_point = (v)[14]; (p).output_zero_point = (v)[15]; (p).act_min = (v)[16]; (p).act_max = (v)[17]; \
        (p).requant = requant((r), (v)[18], (first));                                                              \
    } while (0)

static tt_conv2d_params conv2d_at(const request *r, uint32_t at, uint32_t first)
{
    tt_conv2d_params p;
    WINDOW_PARAMS(p, r->ints + at, output_c, r, first);
    return p;
}

static tt_conv2d_params conv2d(const request *r) { return conv2d_at(r, 0, 3); }

static tt_depthwise_conv2d_params depthwise_at(const request *r, uint32_t at, uint32_t first)
{
    tt_depthwise_conv2d_params p;
    WINDOW_PARAMS(p, r->ints + at, depth_multiplier, r, first);
    return p;
}

static tt_depthwise_conv2d_params depthwise(const request *r) { return depthwise_at(r, 0, 3); }

static tt_fully_connected_params fully_connected(const request *r)
{
    const int32_t *v = r->ints;
    tt_fully_connected_params p;
    p.batches = v[0]; p.input_depth = v[1]; p.output_depth = v[2];
    p.input_zero_point = v[3]; p.filter_zero_point = v[4]; p.output_zero_point = v[5];
    p.act_min = v[6]; p.act_max = v[7];
    p.requant = requant(r, v[8], 3);
    return p;
}

static tt_add_params add(const request *r)
{
    const int32_t *v = r->ints;
    tt_add_params p;
    p.length = v[0]; p.zero_a = v[1]; p.zero_b = v[2]; p.zero_out = v[3];
    p.act_min = v[4]; p.act_max = v[5]; p.mode = (tt_requant_mode)v[6];
    p.left_shift = v[7];
    p.multiplier_a = v[8]; p.shift_a = v[9];
    p.multiplier_b = v[10]; p.shift_b = v[11];
    p.multiplier_out = v[12]; p.shift_out = v[13];
    p.scale_a = r->floats[0]; p.scale_b = r->floats[1]; p.scale_out = r->floats[2];
    return p;
}

static tt_pool_params pool(const request *r)
{
    const int32_t *v = r->ints;
    tt_pool_params p;
    p.input_h = v[0]; p.input_w = v[1]; p.channels = v[2];
    p.output_h = v[3]; p.output_w = v[4];
    p.filter_h = v[5]; p.filter_w = v[6];
    p.stride_h = v[7]; p.stride_w = v[8];
    p.pad_top = v[9]; p.pad_left = v[10];
    p.act_min = v[11]; p.act_max = v[12];
    p.rounding = (tt_pool_rounding)v[13];
    return p;
}

/* Slice layout from ints[1..2] and the channels input. */
static tt_slice_layout layout(const request *r, uint32_t channels_input)
{
    tt_slice_layout l;
    l.inner = r->ints[1];
    l.qas_stride = r->ints[2];
    l.channels = (const int32_t *)in(r, channels_input);
    l.channel_count = in_count(r, channels_input, 4);
    return l;
}

/* Momentum / velocity: output 1 when the case has one. */
static float *state(const request *r, int32_t has) { return has ? (float *)out(r, 1) : NULL; }

static void fixed_point(const request *r)
{
    const int32_t *x = (const int32_t *)in(r, 0);
    const int32_t *y = (const int32_t *)in(r, 1);
    const int32_t *z = (const int32_t *)in(r, 2);
    int32_t *result = (int32_t *)out(r, 0);
    int32_t *second = (int32_t *)out(r, 1);
    int32_t i, n = in_count(r, 0, 4);
    for (i = 0; i < n; i++) {
        second[i] = 0;
        switch (r->ints[0]) {
        case 0: result[i] = tt_fixed_point_saturating_rounding_doubling_high_mul(x[i], y[i]); break;
        case 1: result[i] = tt_fixed_point_rounding_divide_by_pot(x[i], y[i]); break;
        case 2: result[i] = tt_fixed_point_multiply_by_quantized_multiplier(x[i], y[i], z[i]); break;
        case 3: result[i] = tt_fixed_point_multiply_by_quantized_multiplier_smaller_than_one_exp(x[i], y[i], z[i]); break;
        case 4: result[i] = tt_fixed_point_multiply_by_quantized_multiplier_greater_than_one(x[i], y[i], z[i]); break;
        case 5: result[i] = tt_fixed_point_saturating_rounding_multiply_by_pot(x[i], y[i]); break;
        case 6: result[i] = tt_fixed_point_rounding_half_sum(x[i], y[i]); break;
        case 7: result[i] = tt_fixed_point_count_leading_zeros((uint32_t)x[i]); break;
        case 8: result[i] = tt_fixed_point_exp_on_interval_between_negative_one_quarter_and_0_excl(x[i]); break;
        case 9: result[i] = tt_fixed_point_exp_on_negative_values(x[i], y[i]); break;
        case 10: result[i] = tt_fixed_point_one_over_one_plus_x_for_x_in_0_to_1(x[i]); break;
        case 11: result[i] = tt_fixed_point_get_reciprocal(x[i], y[i], &second[i]); break;
        default: fail("unknown fixed-point op");
        }
    }
}

static void run(const request *r)
{
    const int32_t *v = r->ints;
    const float *f = r->floats;
    switch (r->kernel) {
    case 1: { tt_conv2d_params p = conv2d(r); tt_conv2d_forward(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0)); break; }
    case 2: { tt_conv2d_params p = conv2d(r); tt_conv2d_forward_with_mask(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0), out(r, 1)); break; }
    case 3: { tt_conv2d_params p = conv2d(r); tt_conv2d_input_grad(&p, in(r, 0), in(r, 1), out(r, 0)); break; }
    case 4: { tt_conv2d_params p = conv2d(r); tt_conv2d_input_grad_float(&p, in(r, 0), in(r, 1), out(r, 0)); break; }
    case 5: { tt_conv2d_params p = conv2d(r); tt_conv2d_filter_grad(&p, in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), out(r, 0)); break; }
    case 6: { tt_conv2d_params p = conv2d(r); tt_conv2d_filter_grad_float(&p, in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), out(r, 0)); break; }
    case 9: { tt_conv2d_params p = conv2d(r); tt_conv2d_filter_grad_window(&p, in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), v[19], v[20], out(r, 0)); break; }
    case 10: { tt_conv2d_params p = conv2d(r); tt_conv2d_filter_grad_window_float(&p, in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), v[19], v[20], out(r, 0)); break; }
    case 7: { tt_conv2d_params p = conv2d(r); tt_conv2d_forward_float(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0), f[0], f[1]); break; }
    case 8: { tt_conv2d_params p = conv2d(r); tt_conv2d_forward_float_with_mask(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0), f[0], f[1], out(r, 1)); break; }

    /* ConvDepthwise: inputs 0..5 as a conv's, then the depthwise filter, bias and requantisation, then the planes. */
    case 19: { tt_conv2d_params c = conv2d_at(r, 0, 3); tt_depthwise_conv2d_params d = depthwise_at(r, 19, 8);
               tt_conv_depthwise_forward(&c, &d, in(r, 0), in(r, 1), in(r, 2), in(r, 6), in(r, 7), in(r, 11), out(r, 0)); break; }
    case 11: { tt_depthwise_conv2d_params p = depthwise(r); tt_depthwise_conv2d_forward(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0)); break; }
    case 12: { tt_depthwise_conv2d_params p = depthwise(r); tt_depthwise_conv2d_forward_with_mask(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0), out(r, 1)); break; }
    case 13: { tt_depthwise_conv2d_params p = depthwise(r); tt_depthwise_conv2d_input_grad(&p, in(r, 0), in(r, 1), out(r, 0)); break; }
    case 14: { tt_depthwise_conv2d_params p = depthwise(r); tt_depthwise_conv2d_input_grad_float(&p, in(r, 0), in(r, 1), out(r, 0)); break; }
    case 15: { tt_depthwise_conv2d_params p = depthwise(r); tt_depthwise_conv2d_filter_grad(&p, in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), out(r, 0)); break; }
    case 16: { tt_depthwise_conv2d_params p = depthwise(r); tt_depthwise_conv2d_filter_grad_float(&p, in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), out(r, 0)); break; }
    case 17: { tt_depthwise_conv2d_params p = depthwise(r); tt_depthwise_conv2d_forward_float(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0), f[0], f[1]); break; }
    case 18: { tt_depthwise_conv2d_params p = depthwise(r); tt_depthwise_conv2d_forward_float_with_mask(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0), f[0], f[1], out(r, 1)); break; }

    case 21: { tt_fully_connected_params p = fully_connected(r); tt_fully_connected_forward(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0)); break; }
    case 22: { tt_fully_connected_params p = fully_connected(r); tt_fully_connected_forward_with_mask(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0), out(r, 1)); break; }
    case 23: { tt_fully_connected_params p = fully_connected(r); tt_fully_connected_input_grad(&p, in(r, 0), in(r, 1), out(r, 0)); break; }
    case 24: { tt_fully_connected_params p = fully_connected(r); tt_fully_connected_input_grad_float(&p, in(r, 0), in(r, 1), out(r, 0)); break; }
    case 25: { tt_fully_connected_params p = fully_connected(r); tt_fully_connected_filter_grad(&p, in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), out(r, 0)); break; }
    case 26: { tt_fully_connected_params p = fully_connected(r); tt_fully_connected_filter_grad_float(&p, in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), out(r, 0)); break; }
    case 29: { tt_fully_connected_params p = fully_connected(r); tt_fully_connected_filter_grad_window(&p, in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), v[9], v[10], out(r, 0)); break; }
    case 30: { tt_fully_connected_params p = fully_connected(r); tt_fully_connected_filter_grad_window_float(&p, in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), v[9], v[10], out(r, 0)); break; }
    case 27: { tt_fully_connected_params p = fully_connected(r); tt_fully_connected_forward_float(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0), f[0], f[1]); break; }
    case 28: { tt_fully_connected_params p = fully_connected(r); tt_fully_connected_forward_float_with_mask(&p, in(r, 0), in(r, 1), in(r, 2), out(r, 0), f[0], f[1], out(r, 1)); break; }

    case 31: { tt_add_params p = add(r); tt_add_forward(&p, in(r, 0), in(r, 1), out(r, 0)); break; }
    case 32: { tt_add_params p = add(r); tt_add_forward_with_mask(&p, in(r, 0), in(r, 1), out(r, 0), out(r, 1)); break; }
    case 35: tt_add_forward_float(in(r, 0), in(r, 1), out(r, 0), v[0], f[0], f[1]); break;
    case 36: tt_add_forward_float_with_mask(in(r, 0), in(r, 1), out(r, 0), v[0], f[0], f[1], out(r, 1)); break;

    case 41: { tt_pool_params p = pool(r); tt_average_pool2d_forward(&p, in(r, 0), out(r, 0)); break; }
    case 42: { tt_pool_params p = pool(r); tt_average_pool2d_backward(&p, in(r, 0), out(r, 0)); break; }
    case 43: { tt_pool_params p = pool(r); tt_average_pool2d_forward_float(&p, in(r, 0), out(r, 0)); break; }
    case 44: { tt_pool_params p = pool(r); tt_max_pool2d_forward(&p, in(r, 0), out(r, 0)); break; }
    case 45: { tt_pool_params p = pool(r); tt_max_pool2d_backward(&p, in(r, 0), in(r, 1), out(r, 0)); break; }
    case 46: { tt_pool_params p = pool(r); tt_max_pool2d_forward_float(&p, in(r, 0), out(r, 0), f[0], f[1]); break; }
    case 47: { tt_pool_params p = pool(r); tt_max_pool2d_backward_float(&p, in(r, 0), in(r, 1), out(r, 0), f[0], f[1]); break; }

    case 51: {
        tt_mean_params p;
        p.input_h = v[0]; p.input_w = v[1]; p.channels = v[2];
        p.input_zero_point = v[3]; p.output_zero_point = v[4]; p.multiplier = v[5]; p.shift = v[6];
        tt_mean_forward(&p, in(r, 0), out(r, 0));
        break;
    }
    case 52: {
        tt_softmax_params p;
        p.rows = v[0]; p.depth = v[1]; p.input_multiplier = v[2]; p.input_left_shift = v[3]; p.diff_min = v[4];
        tt_softmax_forward(&p, in(r, 0), out(r, 0));
        break;
    }
    case 53: {
        tt_pad_params p;
        p.input_h = v[0]; p.input_w = v[1]; p.input_c = v[2];
        p.pad_top = v[3]; p.pad_bottom = v[4]; p.pad_left = v[5]; p.pad_right = v[6];
        p.pad_channels_before = v[7]; p.pad_channels_after = v[8]; p.pad_value = (int8_t)v[9];
        tt_pad_forward(&p, in(r, 0), out(r, 0));
        break;
    }

    /* ints[2] = 1: in place, the gradient being output 0's initial contents. */
    case 61: tt_requant_accumulator_grad(v[2] ? out(r, 0) : in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), v[0], v[1], out(r, 0)); break;
    case 62: tt_requant_scale_grad(v[2] ? out(r, 0) : in(r, 0), in(r, 1), in_count(r, 1, 4), v[0], v[1], out(r, 0)); break;
    case 63: tt_bias_grad(in(r, 0), v[0], v[1], out(r, 0)); break;
    case 64: tt_elementwise_add_in_place(out(r, 0), in(r, 0), v[0]); break;
    /* ints[1] = 1: output is a, whose values are output 0's initial contents. */
    case 65: tt_elementwise_add(v[1] ? out(r, 0) : in(r, 0), in(r, 1), out(r, 0), v[0]); break;

    /* ints[2]: 0 separate gradient (output 1), 1 in place (output 1 holds the logits), 2 loss only. */
    case 71: {
        float *grad = v[2] == 2 ? NULL : (float *)out(r, 1);
        const float *logits = v[2] == 1 ? grad : (const float *)in(r, 0);
        float loss = tt_softmax_cross_entropy_forward(logits, v[0], v[1], grad);
        memcpy(out(r, 0), &loss, 4);
        break;
    }
    case 72: tt_softmax_cross_entropy_dequantize(in(r, 0), v[0], f[0], v[1], out(r, 0)); break;
    case 73: {
        int32_t best = tt_softmax_cross_entropy_predict(in(r, 0), v[0]);
        memcpy(out(r, 0), &best, 4);
        break;
    }

    /* Sgd: ints length; input master. */
    case 85: tt_sgd_round_master_to_int8(in(r, 0), v[0], out(r, 0)); break;
    case 86: tt_sgd_round_master_to_int32(in(r, 0), v[0], out(r, 0)); break;

    /* SgdSlice: ints grad length, inner, qas stride, has velocity; floats lr, beta; inputs grad, qas, channels. */
    case 91: { tt_slice_layout l = layout(r, 2); tt_sgd_slice_update_int8(out(r, 0), in(r, 0), v[0], in(r, 1), &l, f[0], state(r, v[3]), f[1]); break; }
    case 92: { tt_slice_layout l = layout(r, 2); tt_sgd_slice_update_int32(out(r, 0), in(r, 0), v[0], in(r, 1), &l, f[0], state(r, v[3]), f[1]); break; }
    case 93: { tt_slice_layout l = layout(r, 2); tt_sgd_slice_update_master(out(r, 0), in(r, 0), v[0], in(r, 1), &l, f[0], state(r, v[3]), f[1]); break; }
    case 94: { tt_slice_layout l = layout(r, 2); tt_sgd_slice_update_float(out(r, 0), in(r, 0), v[0], in(r, 1), &l, f[0], state(r, v[3]), f[1]); break; }
    /* Slice rounding: inputs master, (unused), channels. */
    case 95: { tt_slice_layout l = layout(r, 2); tt_sgd_slice_round_to_int8(in(r, 0), out(r, 0), &l, v[0]); break; }
    case 96: { tt_slice_layout l = layout(r, 2); tt_sgd_slice_round_to_int32(in(r, 0), out(r, 0), &l, v[0]); break; }
    case 97: tt_slice_merge(in(r, 0), in(r, 1), in(r, 2), in_count(r, 2, 4), v[0], v[1], out(r, 0)); break;

    case 100: fixed_point(r); break;
    default: fail("unknown kernel");
    }
}

int main(int argc, char **argv)
{
    uint32_t cases = open_request(argc == 3 ? argv[1] : "request.bin", argc == 3 ? argv[2] : "response.bin"), c;
    for (c = 0; c < cases; c++) {
        request r;
        read_request(&r);
        run(&r);
        write_response(&r);
    }

    return close_response();
}
