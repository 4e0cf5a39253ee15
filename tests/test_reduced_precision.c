/*
 * FLOAT16 and BFLOAT16 models, computed in float32 (runtime/util/half.h,
 * tensor_io.c, cl/cast.cl): tensors of those types convert exactly
 * (raw_data and int32_data, special values, subnormals), initializers and
 * Constants load, inputs declared so are fed as float32, Cast to those
 * types rounds as the C reference does, float16 .npy inputs are read, and
 * a whole network stored in float16 (tests/data/fp16) matches the float32
 * network holding the same rounded weights.
 */
#include <check.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "golden.h"
#include "model_builder.h"
#include "reference_misc.h"
#include "tensor_io.h"
#define TMP_FIXTURE_PREFIX "clg_fp16"
#include "tmp_fixture.h"

/* Bit patterns and the floats they are (hex floats: exact). */
static const struct {
    uint16_t bits;
    float value;
} halves[] = {
    {0x0000, 0.0f},         {0x8000, -0.0f},     {0x3c00, 1.0f},          {0xc000, -2.0f},
    {0x7bff, 65504.0f},     {0xfbff, -65504.0f}, {0x0001, 0x1p-24f},      {0x03ff, 0x1.ff8p-15f},
    {0x0400, 0x1p-14f},     {0x3555, 0x1.554p-2f}, {0x7c00, INFINITY},    {0xfc00, -INFINITY},
}, bfloats[] = {
    {0x0000, 0.0f},         {0x8000, -0.0f},     {0x3f80, 1.0f},          {0xc000, -2.0f},
    {0x7f7f, 0x1.fep127f},  {0x0001, 0x1p-133f}, {0x0080, 0x1p-126f},     {0x3eab, 0x1.56p-2f},
    {0x7f80, INFINITY},     {0xff80, -INFINITY},
};

/* A 1-D FLOAT16 / BFLOAT16 TensorProto of the bits, in raw_data or int32_data. */
static void convert(int32_t type, const uint16_t *bits, size_t n, int raw, float *out)
{
    Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
    int64_t dim = (int64_t)n;
    uint8_t bytes[64];
    int32_t ints[32];
    t.has_data_type = 1;
    t.data_type = type;
    t.n_dims = 1;
    t.dims = &dim;
    for (size_t i = 0; i < n; i++) {
        bytes[2 * i] = (uint8_t)(bits[i] & 0xff);
        bytes[2 * i + 1] = (uint8_t)(bits[i] >> 8);
        ints[i] = bits[i];
    }
    if (raw) {
        t.has_raw_data = 1;
        t.raw_data.len = 2 * n;
        t.raw_data.data = bytes;
    } else {
        t.n_int32_data = n;
        t.int32_data = ints;
    }
    int rank;
    int64_t dims[CLG_MAX_RANK];
    float *data = NULL;
    ck_assert_msg(clg_tensor_from_proto(&t, "t", &rank, dims, &data) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(rank, 1);
    ck_assert_int_eq(dims[0], (int64_t)n);
    memcpy(out, data, n * sizeof(float));
    free(data);
}

static void expect_same_floats(const float *got, const float *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) /* bit-exact, so -0 and NaN payloads count */
        ck_assert_msg(memcmp(&got[i], &want[i], sizeof(float)) == 0 || (isnan(got[i]) && isnan(want[i])),
                      "%s [%zu]: got %a, want %a", what, i, (double)got[i], (double)want[i]);
}

START_TEST(proto_conversion)
{
    for (int type = 0; type < 2; type++) {
        const size_t n = type ? sizeof bfloats / sizeof bfloats[0] : sizeof halves / sizeof halves[0];
        uint16_t bits[32];
        float want[32], got[32];
        for (size_t i = 0; i < n; i++) {
            bits[i] = type ? bfloats[i].bits : halves[i].bits;
            want[i] = type ? bfloats[i].value : halves[i].value;
        }
        for (int raw = 0; raw < 2; raw++) {
            convert(type ? ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16 : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16, bits,
                    n, raw, got);
            expect_same_floats(got, want, n, type ? "bfloat16" : "float16");
        }
    }
    /* NaN stays NaN. */
    const uint16_t half_nan[2] = {0x7e00, 0xffc1}, bfloat_nan[2] = {0x7fc0, 0xff81};
    float nan_got[2];
    convert(ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16, half_nan, 2, 1, nan_got);
    ck_assert(isnan(nan_got[0]) && isnan(nan_got[1]));
    convert(ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16, bfloat_nan, 2, 0, nan_got);
    ck_assert(isnan(nan_got[0]) && isnan(nan_got[1]));

    /* Data of the wrong length is an error, not a read past the end. */
    Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
    int64_t dim = 3;
    uint8_t bytes[4] = {0};
    t.has_data_type = 1;
    t.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
    t.n_dims = 1;
    t.dims = &dim;
    t.has_raw_data = 1;
    t.raw_data.len = 4;
    t.raw_data.data = bytes;
    int rank;
    int64_t dims[CLG_MAX_RANK];
    float *data = NULL;
    check_error(clg_tensor_from_proto(&t, "short", &rank, dims, &data), CLG_ERR_PARSE, "does not match shape",
                __LINE__);
    ck_assert_ptr_null(data);
}
END_TEST

/* A FLOAT16 / BFLOAT16 tensor (raw_data) of n values, owned by the builder. */
static Onnx__TensorProto *tensor16(mb *b, const char *name, int32_t type, int rank, const int64_t *dims,
                                   const uint16_t *bits, size_t n)
{
    Onnx__TensorProto *t = mb_alloc(b, sizeof *t);
    *t = (Onnx__TensorProto)ONNX__TENSOR_PROTO__INIT;
    if (name) t->name = mb_str(b, name);
    t->has_data_type = 1;
    t->data_type = type;
    t->n_dims = (size_t)rank;
    t->dims = mb_alloc(b, (size_t)rank * sizeof(int64_t));
    memcpy(t->dims, dims, (size_t)rank * sizeof(int64_t));
    t->has_raw_data = 1;
    t->raw_data.len = 2 * n;
    t->raw_data.data = mb_alloc(b, 2 * n);
    for (size_t i = 0; i < n; i++) {
        t->raw_data.data[2 * i] = (uint8_t)(bits[i] & 0xff);
        t->raw_data.data[2 * i + 1] = (uint8_t)(bits[i] >> 8);
    }
    return t;
}

/* X (declared FLOAT16) + W (FLOAT16) + C (a BFLOAT16 Constant) = Y (declared FLOAT16). */
START_TEST(initializers_and_io)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    static const int64_t d[2] = {1, 4};
    const uint16_t w_bits[4] = {0x3c00, 0xc000, 0x3555, 0x0001};   /* 1, -2, 0x1.554p-2, 2^-24 */
    const uint16_t c_bits[4] = {0x3f80, 0x3eab, 0xc000, 0x0000};   /* 1, 0x1.56p-2, -2, 0 */
    const float w[4] = {1.0f, -2.0f, 0x1.554p-2f, 0x1p-24f}, c[4] = {1.0f, 0x1.56p-2f, -2.0f, 0.0f};
    mb *b = mb_new(13);
    mb_input_typed(b, "X", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16, 2, d);
    Onnx__TensorProto *wt = tensor16(b, "W", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16, 2, d, w_bits, 4);
    MB_PUSH(b->graph.initializer, b->graph.n_initializer, wt);
    Onnx__NodeProto *cn = mb_node(b, "Constant", "c", "", "C16");
    Onnx__AttributeProto *v = mb_attr(b, cn, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
    v->t = tensor16(b, NULL, ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16, 2, d, c_bits, 4);
    mb_attr_i(b, mb_node(b, "Cast", "to_float", "C16", "C"), "to", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    mb_node(b, "Add", "add1", "X,W", "S");
    mb_node(b, "Add", "add2", "S,C", "Y");
    mb_output(b, "Y");
    clg_model *m = load_ok(ctx, b);
    const float x[4] = {0.5f, 0.25f, -1.0f, 3.0f};
    float want[4];
    for (int i = 0; i < 4; i++) want[i] = x[i] + w[i] + c[i];
    expect_run1(m, 2, d, x, 2, d, want, 1e-7f);
    clg_model_destroy(m);
    clg_context_destroy(ctx);
}
END_TEST

/* Cast to FLOAT16 / BFLOAT16 rounds like the reference, on specials, ties, subnormals and overflow. */
START_TEST(cast_rounding)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    enum { N = 4096 };
    static float x[N];
    const float specials[] = {0.0f, -0.0f, 1.0f, 1.0f + 0x1p-11f, 1.0f + 0x3p-11f, 1.0f + 0x1p-8f,
                              1.0f + 0x3p-8f, 65504.0f, 65519.0f, 65520.0f, -65520.0f, 1e6f,
                              0x1p-24f, 0x1p-25f, 0x3p-25f, 0x1p-26f, 0x1.ffp-15f, 0x1p-14f, 1e-30f,
                              0x1.fep127f, 0x1.ffp127f, 3.4e38f, 0x1p-133f, 0x1p-134f, 0x3p-134f,
                              INFINITY, -INFINITY, NAN, 1.0f / 3.0f, -2.0f / 3.0f};
    const size_t n_special = sizeof specials / sizeof specials[0];
    uint32_t s = 12345;
    for (size_t i = 0; i < N; i++) {
        if (i < n_special) {
            x[i] = specials[i];
            continue;
        }
        /* random magnitudes from 2^-30 to 2^20, both signs */
        x[i] = ldexpf(lcg_unit(&s), (int)(i % 51) - 30) * ((s & 1) ? -1.0f : 1.0f);
    }
    static const int64_t d[1] = {N};
    for (int type = 0; type < 2; type++) {
        mb *b = mb_new(13);
        mb_input(b, "X", 1, d);
        mb_attr_i(b, mb_node(b, "Cast", "cast", "X", "Y"), "to",
                  type ? ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16 : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16);
        mb_output(b, "Y");
        clg_model *m = load_ok(ctx, b);
        clg_tensor *xt = tensor_of(1, d, x), *y = run1_ok(m, xt);
        static float want[N];
        for (size_t i = 0; i < N; i++)
            want[i] = type ? ref_round_float(x[i], 7, -126, 0x1.fep127) : ref_round_float(x[i], 10, -14, 65504.0);
        expect_same_floats(y->data, want, N, type ? "bfloat16" : "float16");
        clg_tensor_destroy(y);
        clg_tensor_destroy(xt);
        clg_model_destroy(m);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* numpy's '<f2' .npy, widened to float32 when read. */
START_TEST(npy_float16)
{
    static const char header[] = "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }";
    unsigned char file[256];
    const size_t hlen = 118; /* 10 + 118 = 128: a multiple of 64, as numpy pads */
    memset(file, ' ', sizeof file);
    memcpy(file, "\x93NUMPY\x01\x00", 8);
    file[8] = (unsigned char)hlen;
    file[9] = 0;
    memcpy(file + 10, header, sizeof header - 1);
    file[10 + hlen - 1] = '\n';
    const uint16_t bits[6] = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x3555};
    const float want[6] = {1.0f, -2.0f, 65504.0f, 0x1p-24f, -0.0f, 0x1.554p-2f};
    for (int i = 0; i < 6; i++) {
        file[128 + 2 * i] = (unsigned char)(bits[i] & 0xff);
        file[128 + 2 * i + 1] = (unsigned char)(bits[i] >> 8);
    }
    clg_tensor *t = NULL;
    ck_assert_msg(clg_tensor_parse_npy(file, 140, "f2.npy", &t) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(t->rank, 2);
    ck_assert_int_eq(t->dims[1], 3);
    expect_same_floats(t->data, want, 6, "f2.npy");
    clg_tensor_destroy(t);
    /* One byte short of the data. */
    check_error(clg_tensor_parse_npy(file, 139, "short.npy", &t), CLG_ERR_PARSE, "truncated", __LINE__);
}
END_TEST

/* clg_tensor_save_npy_as FLOAT16: each value rounded as the reference, read back by the '<f2' reader. */
START_TEST(npy_float16_write)
{
    enum { N = 2000 };
    static const int64_t d[1] = {N};
    clg_tensor *t = NULL;
    ck_assert_int_eq(clg_tensor_create(1, d, &t), CLG_OK);
    const float specials[] = {0.0f, -0.0f, 65504.0f, 65519.0f, 65520.0f, -1e9f, 0x1p-24f, 0x1p-25f, 0x3p-25f,
                              0x1.ffp-15f, 1.0f + 0x1p-11f, 1.0f + 0x3p-11f, INFINITY, -INFINITY};
    uint32_t s = 99;
    for (size_t i = 0; i < N; i++) {
        const float unit = lcg_unit(&s);
        t->data[i] = i < sizeof specials / sizeof specials[0]
                         ? specials[i]
                         : ldexpf(unit, (int)(i % 45) - 28) * ((s & 1) ? -1.0f : 1.0f);
    }
    const char *path = tmp_path("half.npy");
    ck_assert_msg(clg_tensor_save_npy_as(path, t, CLG_ELEM_FLOAT16) == CLG_OK, "%s", clg_last_error());
    clg_tensor *back = NULL;
    ck_assert_msg(clg_tensor_load_npy(path, &back) == CLG_OK, "%s", clg_last_error());
    static float want[N];
    for (size_t i = 0; i < N; i++) want[i] = ref_round_float(t->data[i], 10, -14, 65504.0);
    expect_same_floats(back->data, want, N, "written float16");
    clg_tensor_destroy(back);
    clg_tensor_destroy(t);
}
END_TEST

/* tests/data/fp16: a network stored in float16 (tools/make-format-models.py). */
START_TEST(float16_network)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    char path[1024];
    golden_path(path, sizeof path, "fp16/", "tv_googlenet_folded", ".fp16.onnx");
    clg_model *m = NULL;
    ck_assert_msg(clg_model_load(ctx, path, &m) == CLG_OK, "%s", clg_last_error());
    clg_io_info info;
    ck_assert_int_eq(clg_model_input_info(m, 0, &info), CLG_OK);
    ck_assert_int_eq(info.type, CLG_ELEM_FLOAT16);
    ck_assert_int_eq(clg_model_output_info(m, 0, &info), CLG_OK);
    ck_assert_int_eq(info.type, CLG_ELEM_FLOAT16);
    clg_tensor *in = golden_load("imagenet/", "tv_googlenet_folded", ".input.npy");
    clg_tensor *want = golden_load("fp16/", "tv_googlenet_folded", ".fp16.output.npy");
    clg_tensor *fp32 = golden_load("imagenet/", "tv_googlenet_folded", ".output.npy");
    const clg_tensor *inputs[1] = {in};
    clg_tensor *out = NULL;
    ck_assert_msg(clg_model_run(m, inputs, 1, &out, 1) == CLG_OK, "%s", clg_last_error());
    const size_t n = clg_tensor_element_count(want);
    double scale = max_abs(want->data, n), err = max_abs_diff(out->data, want->data, n);
    double vs_fp32 = max_abs_diff(out->data, fp32->data, n);
    printf("float16 tv_googlenet_folded: %.2e from the same rounded weights in float32, %.2e from the float32 "
           "network (of the largest |logit|)\n", err / scale, vs_fp32 / scale);
    /* float32 summation order (kernel choice, tiling) moves a deep network by
       about 1e-6; a weight decoded wrongly shows as the 7e-3 of float16 itself. */
    ck_assert_msg(err <= 1e-5 * scale, "off by %g (largest %g)", err, scale);
    clg_tensor_destroy(out);
    clg_tensor_destroy(in);
    clg_tensor_destroy(want);
    clg_tensor_destroy(fp32);
    clg_model_destroy(m);
    clg_context_destroy(ctx);
}
END_TEST

int main(void)
{
    /* Not static: Check's test handles are not constant expressions. */
    const clg_test_case cases[] = {
        {"fp16:proto_conversion", proto_conversion},
        {"fp16:initializers_and_io", initializers_and_io},
        {"fp16:cast_rounding", cast_rounding},
        {"fp16:npy_float16", npy_float16},
        {"fp16:npy_float16_write", npy_float16_write},
        {"fp16:float16_network", float16_network},
    };
    return clg_run_cases("reduced_precision", cases, sizeof cases / sizeof cases[0], 300, setup, teardown);
}
