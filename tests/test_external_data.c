/*
 * Initializers stored as external data (runtime/io/external_data.c): read at
 * their offset and length relative to the model file's folder; paths that
 * leave the folder, missing and short files, and wrong lengths are clear
 * errors naming the tensor and the file. tests/data/external holds
 * ONNX's own writer's output (onnx.save_model(..., save_as_external_data=
 * True), tools/make-format-models.py), which must match its golden.
 */
#include <check.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define TMP_FIXTURE_PREFIX "clg_external"
#include "check_main.h"
#include "clgooglenet.h"
#include "golden.h"
#include "model_builder.h"
#include "tmp_fixture.h"

/* AddressSanitizer reserves terabytes of address space: no ulimit -v test there. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static const int64_t row_dims[2] = {1, 4};

/* Y = X + W, W[1,4] stored externally with these entries (NULL: left out). */
static mb *add_model(const char *location, const char *offset, const char *length)
{
    mb *b = mb_new(13);
    mb_input(b, "X", 2, row_dims);
    static const float unused[4] = {0};
    Onnx__TensorProto *w = mb_init_n(b, "W", 2, row_dims, unused, 0);
    w->has_data_location = 1;
    w->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    const char *keys[3] = {"location", "offset", "length"}, *values[3] = {location, offset, length};
    w->external_data = mb_alloc(b, 3 * sizeof *w->external_data);
    for (int i = 0; i < 3; i++) {
        if (!values[i]) continue;
        Onnx__StringStringEntryProto *e = mb_alloc(b, sizeof *e);
        *e = (Onnx__StringStringEntryProto)ONNX__STRING_STRING_ENTRY_PROTO__INIT;
        e->key = mb_str(b, keys[i]);
        e->value = mb_str(b, values[i]);
        w->external_data[w->n_external_data++] = e;
    }
    mb_node(b, "Add", "add", "X,W", "Y");
    mb_output(b, "Y");
    return b;
}

/* Imports the model (freed) as if read from the temp dir. */
static clg_status import_in_tmp(mb *b, clg_graph **g)
{
    size_t len;
    uint8_t *buf = mb_pack_free(b, &len);
    *g = NULL;
    clg_status st = clg_onnx_import_dir(buf, len, tmpdir, g);
    free(buf);
    return st;
}

static void expect_import_error(mb *b, clg_status want, const char *s1, const char *s2, int line)
{
    clg_graph *g = NULL;
    clg_status st = import_in_tmp(b, &g);
    if (st == CLG_OK) clg_graph_destroy(g);
    check_error(st, want, s1, line);
    ck_assert_msg(strstr(clg_last_error(), s2), "line %d: message \"%s\" lacks \"%s\"", line, clg_last_error(), s2);
}
#define EXPECT_ERROR(b, want, s1, s2) expect_import_error((b), (want), (s1), (s2), __LINE__)

static const float weights[4] = {0.5f, -1.25f, 3.0f, 1e-3f};

/* A file with 16 bytes of something else, then the weights, then 8 more. */
static void write_weights_file(const char *name)
{
    unsigned char bytes[16 + sizeof weights + 8];
    memset(bytes, 0x7f, sizeof bytes);
    memcpy(bytes + 16, weights, sizeof weights); /* little-endian hosts, as ONNX stores it */
    tmp_file(name, bytes, sizeof bytes);
}

START_TEST(offset_and_length)
{
    write_weights_file("w.bin");
    clg_graph *g = NULL;
    ck_assert_msg(import_in_tmp(add_model("w.bin", "16", "16"), &g) == CLG_OK, "%s", clg_last_error());
    const int w = clg_graph_find_value(g, "W");
    ck_assert_int_ge(w, 0);
    ck_assert_int_eq(g->values[w].rank, 2);
    ck_assert_mem_eq(g->values[w].data, weights, sizeof weights);
    clg_graph_destroy(g);

    /* Without a length the data runs to the end of the file. */
    unsigned char tail[8 + sizeof weights];
    memset(tail, 0, 8);
    memcpy(tail + 8, weights, sizeof weights);
    tmp_file("tail.bin", tail, sizeof tail);
    ck_assert_msg(import_in_tmp(add_model("tail.bin", "8", NULL), &g) == CLG_OK, "%s", clg_last_error());
    ck_assert_mem_eq(g->values[clg_graph_find_value(g, "W")].data, weights, sizeof weights);
    clg_graph_destroy(g);
    /* ... and without an offset from its start; "./" is still inside. */
    tmp_file("plain.bin", weights, sizeof weights);
    ck_assert_msg(import_in_tmp(add_model("./plain.bin", NULL, NULL), &g) == CLG_OK, "%s", clg_last_error());
    clg_graph_destroy(g);
}
END_TEST

START_TEST(bad_files)
{
    write_weights_file("w.bin");
    EXPECT_ERROR(add_model("missing.bin", NULL, "16"), CLG_ERR_IO, "initializer 'W'", "missing.bin");
    EXPECT_ERROR(add_model("w.bin", "28", "16"), CLG_ERR_PARSE, "initializer 'W'", "'w.bin' is too short");
    EXPECT_ERROR(add_model("w.bin", "100", "16"), CLG_ERR_PARSE, "initializer 'W'", "too short");
    EXPECT_ERROR(add_model("w.bin", "16", "12"), CLG_ERR_PARSE, "has length 12", "needs 16 bytes");
    EXPECT_ERROR(add_model("w.bin", "16", NULL), CLG_ERR_PARSE, "has 24 bytes after offset 16", "needs 16");
    EXPECT_ERROR(add_model("w.bin", "-1", "16"), CLG_ERR_PARSE, "initializer 'W'", "offset '-1'");
    EXPECT_ERROR(add_model("", "0", "16"), CLG_ERR_PARSE, "initializer 'W'", "no location");
    EXPECT_ERROR(add_model(NULL, "0", "16"), CLG_ERR_PARSE, "initializer 'W'", "no location");
    /* A directory is not a data file. */
    EXPECT_ERROR(add_model(".", NULL, "16"), CLG_ERR_IO, "initializer 'W'", "directory");
}
END_TEST

START_TEST(paths_leaving_the_folder)
{
    write_weights_file("w.bin");
    EXPECT_ERROR(add_model("/etc/passwd", NULL, "16"), CLG_ERR_IO, "initializer 'W'", "absolute path");
    EXPECT_ERROR(add_model("../w.bin", "16", "16"), CLG_ERR_IO, "'../w.bin'", "leaves the model's folder");
    EXPECT_ERROR(add_model("a/../../w.bin", "16", "16"), CLG_ERR_IO, "initializer 'W'", "leaves the model's folder");
    /* A symbolic link inside the folder that points out of it. */
    const char *link = tmp_path("out.bin");
    ck_assert_int_eq(symlink("/etc/passwd", link), 0);
    EXPECT_ERROR(add_model("out.bin", "0", "16"), CLG_ERR_IO, "initializer 'W'", "outside the model's folder");
    /* One that stays inside is fine. */
    const char *inside = tmp_path("in.bin");
    ck_assert_int_eq(symlink("w.bin", inside), 0);
    clg_graph *g = NULL;
    ck_assert_msg(import_in_tmp(add_model("in.bin", "16", "16"), &g) == CLG_OK, "%s", clg_last_error());
    clg_graph_destroy(g);
    /* A model given as bytes has no folder. */
    size_t len;
    uint8_t *buf = mb_pack_free(add_model("w.bin", "16", "16"), &len);
    check_error(clg_onnx_import(buf, len, &g), CLG_ERR_UNSUPPORTED, "load the model from its file", __LINE__);
    free(buf);
}
END_TEST

/* "VmSize:  123 kB" of this process, in bytes. */
static uint64_t vm_size(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmSize:", 7) == 0) kb = strtoull(line + 7, NULL, 10);
    if (f) fclose(f);
    return (uint64_t)kb * 1024;
}

/* Many tensors naming the same bytes of one file: refused from the host's
   budget (here ulimit -v) before it is exhausted, not by the OOM killer. */
START_TEST(host_memory_budget)
{
#ifdef UNDER_ASAN
    printf("SKIP: an address-space limit under AddressSanitizer\n");
    return;
#endif
    const char *fork = getenv("CK_FORK");
    if ((fork && strcmp(fork, "no") == 0) || vm_size() == 0) {
        printf("SKIP: needs Check's fork (the limit stays with the process) and /proc\n");
        return;
    }
    enum { FLOATS = 1 << 20, TENSORS = 64 }; /* 4 MiB named 64 times */
    float *zeros = calloc(FLOATS, sizeof(float));
    ck_assert_ptr_nonnull(zeros);
    tmp_file("big.bin", zeros, FLOATS * sizeof(float));
    free(zeros);
    mb *b = mb_new(13);
    static const int64_t xd[1] = {FLOATS};
    mb_input(b, "X", 1, xd);
    for (int i = 0; i < TENSORS; i++) {
        char name[16];
        snprintf(name, sizeof name, "W%d", i);
        static const float none[1] = {0};
        Onnx__TensorProto *w = mb_init_n(b, name, 1, xd, none, 0);
        w->has_data_location = 1;
        w->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
        w->external_data = mb_alloc(b, sizeof *w->external_data);
        Onnx__StringStringEntryProto *e = mb_alloc(b, sizeof *e);
        *e = (Onnx__StringStringEntryProto)ONNX__STRING_STRING_ENTRY_PROTO__INIT;
        e->key = mb_str(b, "location");
        e->value = mb_str(b, "big.bin");
        w->external_data[w->n_external_data++] = e;
    }
    mb_node(b, "Add", "add", "X,W0", "Y");
    mb_output(b, "Y");
    size_t len;
    uint8_t *buf = mb_pack_free(b, &len);
    struct rlimit rl;
    ck_assert_int_eq(getrlimit(RLIMIT_AS, &rl), 0);
    rl.rlim_cur = (rlim_t)(vm_size() + (128u << 20)); /* room for about 16 of the 64 tensors */
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
    clg_graph *g = NULL;
    clg_status st = clg_onnx_import_dir(buf, len, tmpdir, &g);
    free(buf);
    if (st == CLG_OK) clg_graph_destroy(g);
    check_error(st, CLG_ERR_OUT_OF_MEMORY, "external data would take", __LINE__);
    ck_assert_msg(strstr(clg_last_error(), "ulimit -v"), "%s", clg_last_error());
}
END_TEST

/* Through clg_model_load: the folder comes from the model's path, relative or not. */
START_TEST(load_and_run)
{
    write_weights_file("w.bin");
    size_t len;
    uint8_t *buf = mb_pack_free(add_model("w.bin", "16", "16"), &len);
    const char *path = tmp_file("model.onnx", buf, len);
    free(buf);
    clg_context *ctx = open_context();
    if (!ctx) return;
    clg_model *m = NULL;
    ck_assert_msg(clg_model_load(ctx, path, &m) == CLG_OK, "%s", clg_last_error());
    const float x[4] = {1, 2, 3, 4};
    float want[4];
    for (int i = 0; i < 4; i++) want[i] = x[i] + weights[i];
    clg_tensor *xt = tensor_of(2, row_dims, x), *y = run1_ok(m, xt);
    expect_close(y, 2, row_dims, want, 0);
    clg_tensor_destroy(y);
    clg_model_destroy(m);
    /* A bare file name: the current directory. */
    char cwd[1024];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(tmpdir), 0);
    clg_status st = clg_model_load(ctx, "model.onnx", &m);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert_msg(st == CLG_OK, "%s", clg_last_error());
    clg_model_destroy(m);
    clg_tensor_destroy(xt);
    clg_context_destroy(ctx);
}
END_TEST

/* ONNX's own writer: all weights in one file, small tensors kept inside. */
START_TEST(onnx_written_model)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    char path[1024];
    golden_path(path, sizeof path, "external/", "tv_googlenet_folded", ".onnx");
    clg_model *m = NULL;
    ck_assert_msg(clg_model_load(ctx, path, &m) == CLG_OK, "%s", clg_last_error());
    clg_tensor *in = golden_load("imagenet/", "tv_googlenet_folded", ".input.npy");
    clg_tensor *want = golden_load("imagenet/", "tv_googlenet_folded", ".output.npy");
    const clg_tensor *inputs[1] = {in};
    clg_tensor *out = NULL;
    ck_assert_msg(clg_model_run(m, inputs, 1, &out, 1) == CLG_OK, "%s", clg_last_error());
    const size_t n = clg_tensor_element_count(want);
    double scale = max_abs(want->data, n), err = max_abs_diff(out->data, want->data, n);
    printf("external-data tv_googlenet_folded: %.2e of the largest |logit|\n", err / scale);
    ck_assert_msg(err <= 1e-4 * scale, "off by %g (largest %g)", err, scale);
    clg_tensor_destroy(out);
    clg_tensor_destroy(in);
    clg_tensor_destroy(want);
    clg_model_destroy(m);
    clg_context_destroy(ctx);
}
END_TEST

int main(void)
{
    /* Not static: Check's test handles are not constant expressions. */
    const clg_test_case cases[] = {
        {"external:offset_and_length", offset_and_length},
        {"external:bad_files", bad_files},
        {"external:paths_leaving_the_folder", paths_leaving_the_folder},
        {"external:load_and_run", load_and_run},
        {"external:host_memory_budget", host_memory_budget},
        {"external:onnx_written_model", onnx_written_model},
    };
    return clg_run_cases("external_data", cases, sizeof cases / sizeof cases[0], 300, setup, teardown);
}
