/*
 * Tensor I/O: clg_tensor_create, .npy read/write, ONNX TensorProto .pb read,
 * and the helpers in runtime/io/tensor_io.h. Bad files are written by the tests
 * into a fresh mkdtemp() directory that each test removes again.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "golden.h"
#include "onnx.pb-c.h"
#include "rng.h"
#include "tensor_io.h"

#define TESTDATA "/usr/share/libonnx-testdata/data/node"

/* ---- Temp files -------------------------------------------------------- */

#define TMP_FIXTURE_PREFIX "clg_tensor_io"
#include "tmp_fixture.h"

/* Writes a .npy file as numpy would: magic, version, header length, the dict
 * padded with spaces and '\n' so the data starts at a multiple of 64. */
static void write_npy(const char *path, int major, const char *dict, const void *data,
                      size_t n)
{
    size_t prefix = major == 1 ? 10 : 12, dlen = strlen(dict);
    size_t pad = 64 - (prefix + dlen + 1) % 64, hlen = dlen + pad + 1;
    unsigned char *buf = calloc(1, prefix + hlen + n + 1);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    for (size_t i = 0; i < prefix - 8; i++) buf[8 + i] = (unsigned char)(hlen >> (8 * i));
    memcpy(buf + prefix, dict, dlen);
    memset(buf + prefix + dlen, ' ', pad);
    buf[prefix + hlen - 1] = '\n';
    if (n) memcpy(buf + prefix + hlen, data, n);
    tmp_write_bytes(path, buf, prefix + hlen + n);
    free(buf);
}

/* A string literal's bytes, without its terminating NUL. */
#define write_lit(path, lit) tmp_write_bytes((path), (lit), sizeof(lit) - 1)

static void write_proto(const char *path, const Onnx__TensorProto *p)
{
    size_t n = onnx__tensor_proto__get_packed_size(p);
    unsigned char *buf = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(onnx__tensor_proto__pack(p, buf), n);
    tmp_write_bytes(path, buf, n);
    free(buf);
}

/* Loads an .npy file that must fail, checking the status and that the
 * message names both the file and the reason. */
static void npy_fails(const char *path, clg_status status, const char *reason)
{
    clg_tensor *t = (clg_tensor *)1;
    clg_status st = clg_tensor_load_npy(path, &t);
    ck_assert_msg(st == status, "%s: expected %s, got %s", path, clg_status_to_string(status),
                  clg_status_to_string(st));
    ck_assert_msg(strstr(clg_last_error(), reason) != NULL, "message \"%s\" lacks \"%s\"",
                  clg_last_error(), reason);
    ck_assert_msg(strstr(clg_last_error(), path) != NULL, "message \"%s\" lacks the path",
                  clg_last_error());
    ck_assert_ptr_null(t);
}

static uint32_t value_state = 12345;
static float rand_float(void) { return lcg_unit(&value_state) * 200.0f - 100.0f; }

/* ---- tensor_io:create -------------------------------------------------- */

START_TEST(create)
{
    clg_tensor *t;
    ck_assert_int_eq(clg_tensor_create(0, NULL, &t), CLG_OK);
    ck_assert_int_eq(t->rank, 0);
    ck_assert_uint_eq(clg_tensor_element_count(t), 1);
    ck_assert_ptr_nonnull(t->data);
    ck_assert(t->data[0] == 0.0f);
    clg_tensor_destroy(t);

    const int64_t d4[4] = {2, 3, 4, 5};
    ck_assert_int_eq(clg_tensor_create(4, d4, &t), CLG_OK);
    ck_assert_uint_eq(clg_tensor_element_count(t), 120);
    for (int i = 0; i < 120; i++) ck_assert(t->data[i] == 0.0f);
    clg_tensor_destroy(t);

    /* Empty tensors still get a data pointer. */
    const int64_t d0[2] = {3, 0};
    ck_assert_int_eq(clg_tensor_create(2, d0, &t), CLG_OK);
    ck_assert_uint_eq(clg_tensor_element_count(t), 0);
    ck_assert_ptr_nonnull(t->data);
    clg_tensor_destroy(t);

    const int64_t neg[2] = {3, -1};
    ck_assert_fails(clg_tensor_create(2, neg, &t), CLG_ERR_INVALID_ARGUMENT, "(3, -1)");
    ck_assert_ptr_null(t);
    const int64_t huge[3] = {INT64_C(10000000000), INT64_C(10000000000), INT64_C(10000000000)};
    ck_assert_fails(clg_tensor_create(3, huge, &t), CLG_ERR_INVALID_ARGUMENT, "too large");
    const int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    ck_assert_fails(clg_tensor_create(9, nine, &t), CLG_ERR_INVALID_ARGUMENT, "rank 9");
    ck_assert_fails(clg_tensor_create(-1, NULL, &t), CLG_ERR_INVALID_ARGUMENT, "rank -1");
    ck_assert_fails(clg_tensor_create(2, NULL, &t), CLG_ERR_INVALID_ARGUMENT, "dims");
    ck_assert_fails(clg_tensor_create(1, d4, NULL), CLG_ERR_INVALID_ARGUMENT, "out");

    ck_assert_uint_eq(clg_tensor_element_count(NULL), 0);
    clg_tensor_destroy(NULL);
}
END_TEST

/* ---- tensor_io:npy ----------------------------------------------------- */

static void round_trip(int rank, const int64_t *dims)
{
    clg_tensor *t, *u;
    ck_assert_int_eq(clg_tensor_create(rank, dims, &t), CLG_OK);
    size_t n = clg_tensor_element_count(t);
    for (size_t i = 0; i < n; i++) t->data[i] = rand_float();

    char name[32];
    snprintf(name, sizeof name, "rank%d.npy", rank);
    const char *path = tmp_path(name);
    ck_assert_msg(clg_tensor_save_npy(path, t) == CLG_OK, "%s", clg_last_error());

    /* numpy's layout: data starts at a multiple of 64 bytes. */
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(((size_t)st.st_size - n * 4) % 64, 0);

    ck_assert_msg(clg_tensor_load_npy(path, &u) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(u->rank, rank);
    for (int i = 0; i < rank; i++) ck_assert_int_eq(u->dims[i], dims[i]);
    ck_assert_uint_eq(clg_tensor_element_count(u), n);
    ck_assert_int_eq(memcmp(t->data, u->data, n * sizeof(float)), 0);
    clg_tensor_destroy(t);
    clg_tensor_destroy(u);
}

START_TEST(npy_round_trip)
{
    const int64_t d1[1] = {1000}, d4[4] = {2, 3, 17, 5}, d_empty[2] = {4, 0};
    round_trip(0, NULL);
    round_trip(1, d1);
    round_trip(4, d4);
    round_trip(2, d_empty);
}
END_TEST

/* The exact bytes numpy writes for np.arange(6, dtype=np.float32).reshape(2, 3). */
static const char numpy_2x3_dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

START_TEST(npy_numpy_files)
{
    const float v[6] = {0, 1, 2, 3, 4, 5};
    const char *path = tmp_path("numpy.npy");
    write_npy(path, 1, numpy_2x3_dict, v, sizeof v);

    clg_tensor *t;
    ck_assert_msg(clg_tensor_load_npy(path, &t) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(t->rank, 2);
    ck_assert_int_eq(t->dims[0], 2);
    ck_assert_int_eq(t->dims[1], 3);
    for (int i = 0; i < 6; i++) ck_assert(t->data[i] == (float)i);

    /* Our writer produces byte-identical output to numpy's. */
    const char *ours = tmp_path("ours.npy");
    ck_assert_int_eq(clg_tensor_save_npy(ours, t), CLG_OK);
    clg_tensor_destroy(t);
    unsigned char *a, *b;
    size_t na, nb;
    ck_assert_int_eq(clg_read_file(path, &a, &na), CLG_OK);
    ck_assert_int_eq(clg_read_file(ours, &b, &nb), CLG_OK);
    ck_assert_uint_eq(na, 128 + sizeof v);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(a, b, na), 0);
    ck_assert_int_eq(a[127], '\n');
    free(a);
    free(b);

    /* Version 2.0 and 3.0 (4-byte header length), rank 1 and scalar shapes. */
    const char *v2 = tmp_path("v2.npy");
    write_npy(v2, 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", v, 12);
    ck_assert_msg(clg_tensor_load_npy(v2, &t) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(t->rank, 1);
    ck_assert_int_eq(t->dims[0], 3);
    ck_assert(t->data[2] == 2.0f);
    clg_tensor_destroy(t);

    const char *v3 = tmp_path("v3.npy");
    const float five = 5.0f;
    write_npy(v3, 3, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", &five, 4);
    ck_assert_msg(clg_tensor_load_npy(v3, &t) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(t->rank, 0);
    ck_assert(t->data[0] == 5.0f);
    clg_tensor_destroy(t);

    /* Other writers: keys in another order, double quotes, Python 2 longs. */
    const char *other = tmp_path("other.npy");
    write_npy(other, 1, "{\"shape\": (2L, 3L), \"fortran_order\": False, \"descr\": \"<f4\"}", v,
              sizeof v);
    ck_assert_msg(clg_tensor_load_npy(other, &t) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(t->rank, 2);
    ck_assert_int_eq(t->dims[1], 3);
    ck_assert(t->data[5] == 5.0f);
    clg_tensor_destroy(t);
}
END_TEST

START_TEST(npy_bad_files)
{
    const float v[6] = {0};
    const char *path;

    path = tmp_path("missing.npy");
    npy_fails(path, CLG_ERR_IO, "No such file");

    npy_fails(tmpdir, CLG_ERR_IO, "not a regular file");

    path = tmp_path("empty.npy");
    write_lit(path, "");
    npy_fails(path, CLG_ERR_PARSE, "empty");

    path = tmp_path("magic.npy");
    write_lit(path, "PK\x03\x04 not numpy at all");
    npy_fails(path, CLG_ERR_PARSE, "bad magic");

    path = tmp_path("short_magic.npy");
    write_lit(path, "\x93NUM");
    npy_fails(path, CLG_ERR_PARSE, "truncated");

    path = tmp_path("version.npy");
    write_lit(path, "\x93NUMPY\x04\x00\x10\x00{}              ");
    npy_fails(path, CLG_ERR_UNSUPPORTED, "version 4.0");

    /* The header length says 118 bytes; only 20 are there. */
    path = tmp_path("header.npy");
    write_lit(path, "\x93NUMPY\x01\x00\x76\x00{'descr': '<f4', 'fo");
    npy_fails(path, CLG_ERR_PARSE, "truncated .npy header");

    /* A v2 header length of 4 GiB - 1 is refused before any allocation. */
    path = tmp_path("hlen.npy");
    write_lit(path, "\x93NUMPY\x02\x00\xff\xff\xff\xff{}");
    npy_fails(path, CLG_ERR_PARSE, "implausibly large");

    path = tmp_path("short_data.npy");
    write_npy(path, 1, numpy_2x3_dict, v, 20);
    npy_fails(path, CLG_ERR_PARSE, "truncated data");

    path = tmp_path("long_data.npy");
    write_npy(path, 1, numpy_2x3_dict, v, sizeof v);
    FILE *f = fopen(path, "ab");
    ck_assert_ptr_nonnull(f);
    fputc(0, f);
    fclose(f);
    npy_fails(path, CLG_ERR_PARSE, "1 unexpected bytes");

    path = tmp_path("f8.npy");
    write_npy(path, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", v, 24);
    npy_fails(path, CLG_ERR_UNSUPPORTED, "'<f8'");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "astype(np.float32)"));

    path = tmp_path("be.npy");
    write_npy(path, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", v, 12);
    npy_fails(path, CLG_ERR_UNSUPPORTED, "'>f4'");

    path = tmp_path("i8.npy");
    write_npy(path, 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", v, 24);
    npy_fails(path, CLG_ERR_UNSUPPORTED, "'<i8'");

    path = tmp_path("struct.npy");
    write_npy(path, 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }",
              v, 12);
    npy_fails(path, CLG_ERR_UNSUPPORTED, "structured");

    path = tmp_path("fortran.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", v,
              sizeof v);
    npy_fails(path, CLG_ERR_UNSUPPORTED, "Fortran order");

    path = tmp_path("negative.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", v,
              sizeof v);
    npy_fails(path, CLG_ERR_PARSE, "negative dimension");

    /* 10^18 elements against 24 bytes: must fail on the size check, not in malloc. */
    path = tmp_path("huge.npy");
    write_npy(path, 1,
              "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000000000), }",
              v, sizeof v);
    npy_fails(path, CLG_ERR_PARSE, "truncated data");

    path = tmp_path("overflow.npy");
    write_npy(path, 1,
              "{'descr': '<f4', 'fortran_order': False, "
              "'shape': (10000000000, 10000000000, 10000000000), }",
              v, sizeof v);
    npy_fails(path, CLG_ERR_PARSE, "too large");

    path = tmp_path("bigdim.npy");
    write_npy(path, 1,
              "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
              v, sizeof v);
    npy_fails(path, CLG_ERR_PARSE, "dimension too large");

    path = tmp_path("rank9.npy");
    write_npy(path, 1,
              "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }",
              v, 4);
    npy_fails(path, CLG_ERR_UNSUPPORTED, "more than 8 dimensions");

    path = tmp_path("nobrace.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) ", v,
              sizeof v);
    npy_fails(path, CLG_ERR_PARSE, "malformed .npy header");

    path = tmp_path("noshape.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': False}", v, 4);
    npy_fails(path, CLG_ERR_PARSE, "lacks 'shape'");

    path = tmp_path("extrakey.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", v, 4);
    npy_fails(path, CLG_ERR_PARSE, "unexpected key 'x'");

    path = tmp_path("junk.npy");
    write_npy(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), } junk", v, 4);
    npy_fails(path, CLG_ERR_PARSE, "malformed .npy header");
}
END_TEST

START_TEST(npy_save_errors)
{
    const int64_t d[1] = {3};
    clg_tensor *t;
    ck_assert_int_eq(clg_tensor_create(1, d, &t), CLG_OK);

    const char *path = tmp_path("no_such_dir/x.npy");
    ck_assert_fails(clg_tensor_save_npy(path, t), CLG_ERR_IO, path);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "cannot create"));

    /* /dev/full accepts the open and fails the write (ENOSPC). */
    if (access("/dev/full", W_OK) == 0) {
        ck_assert_fails(clg_tensor_save_npy("/dev/full", t), CLG_ERR_IO, "/dev/full");
        ck_assert_ptr_nonnull(strstr(clg_last_error(), strerror(ENOSPC)));
        ck_assert_int_eq(access("/dev/full", F_OK), 0);
    } else {
        printf("tensor_io:npy: /dev/full not writable, skipping the write-failure check\n");
    }

    t->dims[0] = -3;
    ck_assert_fails(clg_tensor_save_npy(tmp_path("bad.npy"), t), CLG_ERR_INVALID_ARGUMENT,
                    "invalid shape");
    clg_tensor_destroy(t);
    ck_assert_fails(clg_tensor_save_npy(tmp_path("null.npy"), NULL), CLG_ERR_INVALID_ARGUMENT,
                    "NULL");
}
END_TEST

/* ---- tensor_io:pb ------------------------------------------------------ */

START_TEST(pb_testdata)
{
    const char *conv = TESTDATA "/test_conv_with_strides_padding/test_data_set_0/input_0.pb";
    if (access(conv, R_OK) != 0) {
        printf("tensor_io:pb: %s not found (install libonnx-testdata), skipping\n", conv);
        return;
    }
    clg_tensor *t;
    ck_assert_msg(clg_tensor_load_pb(conv, &t) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(t->rank, 4);
    const int64_t want[4] = {1, 1, 7, 5};
    for (int i = 0; i < 4; i++) ck_assert_int_eq(t->dims[i], want[i]);
    /* ONNX's test input is np.arange(35). */
    for (int i = 0; i < 35; i++) ck_assert(t->data[i] == (float)i);
    clg_tensor_destroy(t);

    const char *shape = TESTDATA "/test_reshape_reordered_all_dims/test_data_set_0/input_1.pb";
    if (access(shape, R_OK) == 0) {
        ck_assert_fails(clg_tensor_load_pb(shape, &t), CLG_ERR_UNSUPPORTED, "INT64");
        ck_assert_ptr_nonnull(strstr(clg_last_error(), shape));
    }
}
END_TEST

START_TEST(pb_written)
{
    clg_tensor *t;
    int64_t dims[2] = {2, 3};
    float values[6] = {1.5f, -2, 3, 4, 5, 6e-30f};

    /* float_data variant */
    Onnx__TensorProto p = ONNX__TENSOR_PROTO__INIT;
    p.n_dims = 2;
    p.dims = dims;
    p.has_data_type = 1;
    p.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    p.n_float_data = 6;
    p.float_data = values;
    const char *fd = tmp_path("float_data.pb");
    write_proto(fd, &p);
    ck_assert_msg(clg_tensor_load_pb(fd, &t) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(t->rank, 2);
    ck_assert_int_eq(t->dims[0], 2);
    ck_assert_int_eq(t->dims[1], 3);
    ck_assert_int_eq(memcmp(t->data, values, sizeof values), 0);
    clg_tensor_destroy(t);

    /* raw_data variant, rank 1, little-endian bytes */
    unsigned char raw[6 * 4];
    for (int i = 0; i < 6; i++) {
        uint32_t bits;
        memcpy(&bits, &values[i], 4);
        for (int b = 0; b < 4; b++) raw[i * 4 + b] = (unsigned char)(bits >> (8 * b));
    }
    int64_t dims1[1] = {6};
    Onnx__TensorProto r = ONNX__TENSOR_PROTO__INIT;
    r.n_dims = 1;
    r.dims = dims1;
    r.has_data_type = 1;
    r.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    r.has_raw_data = 1;
    r.raw_data.len = sizeof raw;
    r.raw_data.data = raw;
    const char *rd = tmp_path("raw_data.pb");
    write_proto(rd, &r);
    /* Through clg_tensor_load, with an upper-case extension. */
    const char *upper = tmp_path("RAW.PB");
    write_proto(upper, &r);
    ck_assert_msg(clg_tensor_load(upper, &t) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(t->rank, 1);
    ck_assert_int_eq(t->dims[0], 6);
    ck_assert_int_eq(memcmp(t->data, values, sizeof values), 0);
    clg_tensor_destroy(t);

    /* A scalar: no dims, one value. */
    Onnx__TensorProto s = ONNX__TENSOR_PROTO__INIT;
    s.has_data_type = 1;
    s.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    s.n_float_data = 1;
    s.float_data = values;
    const char *sp = tmp_path("scalar.pb");
    write_proto(sp, &s);
    ck_assert_msg(clg_tensor_load_pb(sp, &t) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(t->rank, 0);
    ck_assert(t->data[0] == 1.5f);
    clg_tensor_destroy(t);

    /* raw_data one byte short */
    r.raw_data.len = sizeof raw - 1;
    const char *bad = tmp_path("raw_short.pb");
    write_proto(bad, &r);
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_PARSE, "raw_data holds 23 bytes");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), bad));
    ck_assert_ptr_null(t);
    r.raw_data.len = sizeof raw;

    /* float_data count mismatch */
    p.n_float_data = 5;
    bad = tmp_path("float_short.pb");
    write_proto(bad, &p);
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_PARSE, "float_data holds 5 values");
    p.n_float_data = 6;

    /* INT64 */
    int64_t ints[2] = {1, 2};
    Onnx__TensorProto i64 = ONNX__TENSOR_PROTO__INIT;
    i64.n_dims = 1;
    i64.dims = (int64_t[]){2};
    i64.has_data_type = 1;
    i64.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
    i64.n_int64_data = 2;
    i64.int64_data = ints;
    bad = tmp_path("int64.pb");
    write_proto(bad, &i64);
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_UNSUPPORTED, "INT64");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), bad));

    /* Negative dimension */
    dims[1] = -3;
    bad = tmp_path("negative.pb");
    write_proto(bad, &p);
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_PARSE, "negative dimension -3");
    dims[1] = 3;

    /* Rank above the limit */
    int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    Onnx__TensorProto big = p;
    big.n_dims = 9;
    big.dims = nine;
    big.n_float_data = 1;
    bad = tmp_path("rank9.pb");
    write_proto(bad, &big);
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_UNSUPPORTED, "rank 9");

    /* Huge shape with a tiny raw_data: rejected before allocating. */
    int64_t huge[2] = {1000000000, 1000000000};
    Onnx__TensorProto h = r;
    h.n_dims = 2;
    h.dims = huge;
    bad = tmp_path("huge.pb");
    write_proto(bad, &h);
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_PARSE, "(1000000000, 1000000000)");

    /* Data kept in an external file */
    Onnx__TensorProto e = r;
    e.has_raw_data = 0;
    e.has_data_location = 1;
    e.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    bad = tmp_path("external.pb");
    write_proto(bad, &e);
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_UNSUPPORTED, "external");

    /* Shape without data */
    Onnx__TensorProto nodata = p;
    nodata.n_float_data = 0;
    bad = tmp_path("nodata.pb");
    write_proto(bad, &nodata);
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_PARSE, "has no data");

    /* Not protobuf at all ('t' starts an invalid wire type) */
    bad = tmp_path("garbage.pb");
    write_lit(bad, "this is not a protobuf");
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_PARSE, "not a valid ONNX TensorProto");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), bad));

    /* Valid protobuf, but no tensor in it (only an unknown field). */
    bad = tmp_path("unknown_field.pb");
    write_lit(bad, "\xa0\x06\x01");
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_PARSE, "no data type");

    bad = tmp_path("empty.pb");
    write_lit(bad, "");
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_PARSE, "empty");

    bad = tmp_path("missing.pb");
    ck_assert_fails(clg_tensor_load_pb(bad, &t), CLG_ERR_IO, bad);
    ck_assert_ptr_null(t);
}
END_TEST

START_TEST(from_proto)
{
    int64_t dims[4] = {8, 3, 1, 1};
    float w[24];
    for (int i = 0; i < 24; i++) w[i] = rand_float();
    Onnx__TensorProto p = ONNX__TENSOR_PROTO__INIT;
    p.n_dims = 4;
    p.dims = dims;
    p.has_data_type = 1;
    p.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    p.n_float_data = 24;
    p.float_data = w;

    int rank = -1;
    int64_t got[CLG_MAX_RANK];
    float *data = NULL;
    ck_assert_int_eq(clg_tensor_from_proto(&p, "initializer conv1.weight", &rank, got, &data),
                     CLG_OK);
    ck_assert_int_eq(rank, 4);
    ck_assert_int_eq(got[0], 8);
    ck_assert_int_eq(memcmp(data, w, sizeof w), 0);
    free(data);

    p.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
    data = NULL;
    ck_assert_fails(clg_tensor_from_proto(&p, "initializer conv1.weight", &rank, got, &data),
                    CLG_ERR_UNSUPPORTED, "initializer conv1.weight: tensor data type DOUBLE");
    ck_assert_ptr_null(data);
    p.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__UINT16;
    ck_assert_fails(clg_tensor_from_proto(&p, "x", &rank, got, &data), CLG_ERR_UNSUPPORTED,
                    "UINT16");
    /* FLOAT16 is read (test_reduced_precision.c), but never from float_data. */
    p.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
    ck_assert_fails(clg_tensor_from_proto(&p, "x", &rank, got, &data), CLG_ERR_PARSE,
                    "FLOAT16 tensor has float_data");
    ck_assert_ptr_null(data);

    ck_assert_str_eq(clg_onnx_type_name(ONNX__TENSOR_PROTO__DATA_TYPE__BOOL), "BOOL");
    ck_assert_str_eq(clg_onnx_type_name(999), "UNKNOWN");
}
END_TEST

/* ---- tensor_io:files --------------------------------------------------- */

START_TEST(read_file)
{
    unsigned char *data = NULL;
    size_t size = 99;
    const char *empty = tmp_path("empty.bin");
    write_lit(empty, "");
    ck_assert_int_eq(clg_read_file(empty, &data, &size), CLG_OK);
    ck_assert_uint_eq(size, 0);
    ck_assert_ptr_nonnull(data);
    free(data);

    const char *full = tmp_path("full.bin");
    write_lit(full, "hello\0world");
    ck_assert_int_eq(clg_read_file(full, &data, &size), CLG_OK);
    ck_assert_uint_eq(size, 11);
    ck_assert_int_eq(memcmp(data, "hello\0world", 11), 0);
    free(data);

    const char *missing = tmp_path("missing.bin");
    ck_assert_fails(clg_read_file(missing, &data, &size), CLG_ERR_IO, missing);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "No such file"));
    ck_assert_fails(clg_read_file(tmpdir, &data, &size), CLG_ERR_IO, "not a regular file");
}
END_TEST

START_TEST(load_by_extension)
{
    const float v[6] = {0, 1, 2, 3, 4, 5};
    const char *npy = tmp_path("upper.NPY");
    write_npy(npy, 1, numpy_2x3_dict, v, sizeof v);
    clg_tensor *t;
    ck_assert_msg(clg_tensor_load(npy, &t) == CLG_OK, "%s", clg_last_error());
    ck_assert_uint_eq(clg_tensor_element_count(t), 6);
    clg_tensor_destroy(t);

    const char *txt = tmp_path("input.txt");
    write_lit(txt, "1 2 3");
    ck_assert_fails(clg_tensor_load(txt, &t), CLG_ERR_UNSUPPORTED,
                    "unknown tensor format (expected .npy or .pb)");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), txt));
    ck_assert_ptr_null(t);

    /* The extension picks the reader, and its errors come through. */
    const char *missing = tmp_path("missing.npy");
    ck_assert_fails(clg_tensor_load(missing, &t), CLG_ERR_IO, missing);
    ck_assert_fails(clg_tensor_load(NULL, &t), CLG_ERR_INVALID_ARGUMENT, "NULL");
}
END_TEST

/* ---- Runner ------------------------------------------------------------ */

int main(void)
{
    const clg_test_case cases[] = {
        {"tensor_io:create", create},
        {"tensor_io:npy_round_trip", npy_round_trip},
        {"tensor_io:npy_numpy_files", npy_numpy_files},
        {"tensor_io:npy_bad_files", npy_bad_files},
        {"tensor_io:npy_save_errors", npy_save_errors},
        {"tensor_io:pb_testdata", pb_testdata},
        {"tensor_io:pb_written", pb_written},
        {"tensor_io:from_proto", from_proto},
        {"tensor_io:read_file", read_file},
        {"tensor_io:load_by_extension", load_by_extension},
    };
    return clg_run_cases("tensor_io", cases, sizeof cases / sizeof cases[0], 0, setup, teardown);
}
