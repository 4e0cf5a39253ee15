/*
 * Evaluation: the IDX reader on good and hostile files, Debian's
 * Fashion-MNIST test set, and the trained model on the first 500 test images
 * against PyTorch's logits and predictions (models/reference/). Parts that
 * need files which are not there (the dataset, the trained model) print why
 * they are skipped and pass.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "compare.h"
#include "context_fixture.h"
#include "golden.h"
#include "idx.h"
#include "tensor_io.h"

#define DATASET_DIR "/usr/share/datasets/fashion-mnist"
#define REFERENCE_IMAGES 500

static const char *models_dir(void)
{
    const char *d = getenv("CLGOOGLENET_MODELS_DIR");
    return d && *d ? d : "models";
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* ---- Temp files -------------------------------------------------------- */

#define TMP_FIXTURE_PREFIX "clg_eval"
#include "tmp_fixture.h"

static const char *write_gzip(const char *name, const void *data, size_t n)
{
    const char *path = tmp_path(name);
    gzFile f = gzopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(gzwrite(f, data, (unsigned)n), (int)n);
    ck_assert_int_eq(gzclose(f), Z_OK);
    return path;
}

/* An IDX file in memory: header for the given dims, then `data_bytes` bytes. */
static unsigned char *make_idx(int type, int rank, const uint32_t *dims, size_t data_bytes,
                               size_t *size)
{
    *size = 4 + 4 * (size_t)rank + data_bytes;
    unsigned char *b = calloc(1, *size);
    ck_assert_ptr_nonnull(b);
    b[2] = (unsigned char)type;
    b[3] = (unsigned char)rank;
    for (int i = 0; i < rank; i++) {
        unsigned char *p = b + 4 + 4 * i;
        p[0] = dims[i] >> 24, p[1] = dims[i] >> 16, p[2] = dims[i] >> 8, p[3] = (unsigned char)dims[i];
    }
    for (size_t i = 0; i < data_bytes; i++) b[4 + 4 * rank + i] = (unsigned char)(i * 7);
    return b;
}

/* ---- IDX reader --------------------------------------------------------------- */

START_TEST(idx_good)
{
    const uint32_t dims[3] = {2, 3, 4};
    size_t n;
    unsigned char *raw = make_idx(0x08, 3, dims, 24, &n);
    const char *paths[] = {tmp_file("images-idx3-ubyte", raw, n),
                           write_gzip("images-idx3-ubyte.gz", raw, n)};
    for (int i = 0; i < 2; i++) {
        clg_idx *idx = NULL;
        ck_assert_msg(clg_idx_load(paths[i], &idx) == CLG_OK, "%s", clg_last_error());
        ck_assert_int_eq(idx->rank, 3);
        ck_assert_int_eq(idx->dims[0], 2);
        ck_assert_int_eq(idx->dims[1], 3);
        ck_assert_int_eq(idx->dims[2], 4);
        ck_assert_uint_eq(idx->size, 24);
        ck_assert_mem_eq(idx->data, raw + 16, 24);
        clg_idx_destroy(idx);
    }
    free(raw);
    const uint32_t labels[1] = {5};
    raw = make_idx(0x08, 1, labels, 5, &n);
    clg_idx *idx = NULL;
    ck_assert_int_eq(clg_idx_load(write_gzip("labels.gz", raw, n), &idx), CLG_OK);
    ck_assert_int_eq(idx->rank, 1);
    ck_assert_int_eq(idx->dims[0], 5);
    clg_idx_destroy(idx);
    free(raw);
}
END_TEST

typedef struct hostile {
    const char *name;
    int type, rank;
    uint32_t dims[4];
    long data_delta; /* bytes more (or fewer) than the dims declare */
    clg_status status;
    const char *message;
} hostile;

static const hostile hostile_files[] = {
    {"float-type", 0x0d, 1, {4}, 0, CLG_ERR_UNSUPPORTED, "data type 0x0d is not supported"},
    {"unknown-type", 0x42, 1, {4}, 0, CLG_ERR_PARSE, "unknown data type 0x42"},
    {"rank-0", 0x08, 0, {0}, 0, CLG_ERR_PARSE, "rank 0"},
    {"zero-dim", 0x08, 2, {3, 0}, 0, CLG_ERR_PARSE, "dimension 1 is 0"},
    {"overflow", 0x08, 4, {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, 0, CLG_ERR_PARSE,
     "more than"},
    {"too-big", 0x08, 3, {60000, 1000, 1000}, 0, CLG_ERR_PARSE, "more than"},
    {"truncated-data", 0x08, 2, {10, 10}, -50, CLG_ERR_PARSE, "truncated data: 50 of 100 bytes"},
    {"trailing-data", 0x08, 2, {10, 10}, 3, CLG_ERR_PARSE, "continues past the 100 bytes"},
};

START_TEST(idx_hostile)
{
    const hostile *h = &hostile_files[_i];
    size_t declared = 1;
    for (int i = 0; i < h->rank; i++) declared = h->dims[i] > 1000 ? 0 : declared * h->dims[i];
    size_t n;
    unsigned char *raw = make_idx(h->type, h->rank, h->dims, (size_t)((long)declared + h->data_delta), &n);
    char name[64];
    for (int gz = 0; gz < 2; gz++) {
        snprintf(name, sizeof name, "%s%s", h->name, gz ? ".gz" : "");
        const char *path = gz ? write_gzip(name, raw, n) : tmp_file(name, raw, n);
        clg_idx *idx = NULL;
        ck_assert_fails(clg_idx_load(path, &idx), h->status, h->message);
        ck_assert_fails(clg_idx_load(path, &idx), h->status, path);
        ck_assert_ptr_null(idx);
    }
    free(raw);
}
END_TEST

START_TEST(idx_bad_files)
{
    clg_idx *idx = NULL;
    ck_assert_fails(clg_idx_load("/nonexistent/t10k.gz", &idx), CLG_ERR_IO, "t10k.gz");
    ck_assert_fails(clg_idx_load(tmp_file("empty", "", 0), &idx), CLG_ERR_PARSE,
                    "truncated header");
    ck_assert_fails(clg_idx_load(tmp_file("magic", "\x01\x02\x08\x01\0\0\0\1x", 9), &idx),
                    CLG_ERR_PARSE, "bad magic");
    ck_assert_fails(clg_idx_load(tmp_file("rank5", "\0\0\x08\x05", 4), &idx),
                    CLG_ERR_UNSUPPORTED, "rank 5");
    ck_assert_fails(clg_idx_load(tmp_file("short-dims", "\0\0\x08\x03\0\0\0\1\0\0", 10), &idx),
                    CLG_ERR_PARSE, "truncated header");

    /* A gzip file cut short, and one with a corrupted stream. */
    const uint32_t dims[2] = {100, 100};
    size_t n;
    unsigned char *raw = make_idx(0x08, 2, dims, 10000, &n);
    for (size_t i = 0; i < 10000; i++) raw[12 + i] = (unsigned char)(rand() & 0xff);
    const char *gz = write_gzip("good.gz", raw, n);
    unsigned char *packed;
    size_t packed_size;
    ck_assert_int_eq(clg_read_file(gz, &packed, &packed_size), CLG_OK);
    ck_assert_fails(clg_idx_load(tmp_file("cut.gz", packed, packed_size / 2), &idx),
                    CLG_ERR_PARSE, "truncated data");
    ck_assert_fails(clg_idx_load(tmp_file("cut-trailer.gz", packed, packed_size - 4), &idx),
                    CLG_ERR_PARSE, "truncated gzip trailer");
    for (size_t i = packed_size / 2; i < packed_size / 2 + 16; i++) packed[i] ^= 0xa5;
    ck_assert_fails(clg_idx_load(tmp_file("corrupt.gz", packed, packed_size), &idx),
                    CLG_ERR_PARSE, "corrupt compressed data");
    ck_assert_ptr_null(idx);
    free(packed);
    free(raw);
}
END_TEST

/* ---- Fashion-MNIST --------------------------------------------------------------- */

static int load_test_set(clg_idx **images, clg_idx **labels)
{
    const char *img = DATASET_DIR "/t10k-images-idx3-ubyte.gz";
    const char *lab = DATASET_DIR "/t10k-labels-idx1-ubyte.gz";
    if (!exists(img) || !exists(lab)) {
        printf("skipped: %s not found (Debian package dataset-fashion-mnist)\n", img);
        return 0;
    }
    ck_assert_msg(clg_idx_load(img, images) == CLG_OK, "%s", clg_last_error());
    ck_assert_msg(clg_idx_load(lab, labels) == CLG_OK, "%s", clg_last_error());
    return 1;
}

START_TEST(fashion_mnist)
{
    clg_idx *images = NULL, *labels = NULL;
    if (!load_test_set(&images, &labels)) return;
    ck_assert_int_eq(images->rank, 3);
    ck_assert_int_eq(images->dims[0], 10000);
    ck_assert_int_eq(images->dims[1], 28);
    ck_assert_int_eq(images->dims[2], 28);
    ck_assert_int_eq(labels->rank, 1);
    ck_assert_int_eq(labels->dims[0], 10000);
    size_t per_class[10] = {0};
    for (size_t i = 0; i < labels->size; i++) {
        ck_assert_uint_lt(labels->data[i], 10);
        per_class[labels->data[i]]++;
    }
    for (int c = 0; c < 10; c++) ck_assert_uint_eq(per_class[c], 1000);
    clg_idx_destroy(images);
    clg_idx_destroy(labels);
}
END_TEST

/* Reads predictions-500.txt: one class index per line. */
static void read_predictions(const char *path, int *pred, size_t n)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    for (size_t i = 0; i < n; i++) ck_assert_msg(fscanf(f, "%d", &pred[i]) == 1, "%s: line %zu", path, i + 1);
    fclose(f);
}

/*
 * The trained model through the same path as `clgooglenet eval` (IDX ->
 * preprocessing from the model's metadata -> run in batches) reproduces
 * PyTorch: logits within 1e-4 of each row's largest logit, the same top-1.
 */
START_TEST(reference_500)
{
    char model_path[1024], logits_path[1024], pred_path[1024];
    snprintf(model_path, sizeof model_path, "%s/googlenet-fashion-mnist.onnx", models_dir());
    snprintf(logits_path, sizeof logits_path, "%s/reference/logits-500.npy", models_dir());
    snprintf(pred_path, sizeof pred_path, "%s/reference/predictions-500.txt", models_dir());
    const char *need[] = {model_path, logits_path, pred_path};
    for (int i = 0; i < 3; i++)
        if (!exists(need[i])) {
            printf("skipped: %s not found (the trained model is not in this tree yet)\n", need[i]);
            return;
        }
    clg_idx *images = NULL, *labels = NULL;
    if (!load_test_set(&images, &labels)) return;
    clg_tensor *want = NULL;
    ck_assert_msg(clg_tensor_load_npy(logits_path, &want) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(want->rank, 2);
    ck_assert_int_eq(want->dims[0], REFERENCE_IMAGES);
    const size_t classes = (size_t)want->dims[1];
    int pred[REFERENCE_IMAGES];
    read_predictions(pred_path, pred, REFERENCE_IMAGES);

    clg_context *ctx = require_context();
    clg_model *model = NULL;
    ck_assert_msg(clg_model_load(ctx, model_path, &model) == CLG_OK, "%s", clg_last_error());
    clg_preprocess pp;
    ck_assert_msg(clg_preprocess_from_model(model, &pp) == CLG_OK, "%s", clg_last_error());

    enum { BATCH = 100 };
    const size_t h = (size_t)images->dims[1], w = (size_t)images->dims[2];
    double worst = 0;
    size_t correct = 0;
    for (size_t first = 0; first < REFERENCE_IMAGES; first += BATCH) {
        clg_image views[BATCH];
        const clg_image *list[BATCH];
        for (size_t i = 0; i < BATCH; i++) {
            views[i] = (clg_image){(int)w, (int)h, 1, images->data + (first + i) * h * w};
            list[i] = &views[i];
        }
        clg_tensor *in = NULL, *out = NULL;
        ck_assert_msg(clg_preprocess_images(&pp, list, BATCH, &in) == CLG_OK, "%s", clg_last_error());
        const clg_tensor *inputs[] = {in};
        ck_assert_msg(clg_model_run(model, inputs, 1, &out, 1) == CLG_OK, "%s", clg_last_error());
        ck_assert_uint_eq(clg_tensor_element_count(out), BATCH * classes);
        for (size_t i = 0; i < BATCH; i++) {
            const float *got = out->data + i * classes, *ref = want->data + (first + i) * classes;
            double rel = relative_max_error(got, ref, classes);
            worst = fmax(worst, rel);
            ck_assert_msg(rel <= 1e-4, "image %zu: logits differ by %g of the largest", first + i, rel);
            ck_assert_msg((int)golden_argmax(got, classes) == pred[first + i],
                          "image %zu: predicted %zu, PyTorch %d", first + i,
                          golden_argmax(got, classes), pred[first + i]);
            correct += golden_argmax(got, classes) == labels->data[first + i];
        }
        clg_tensor_destroy(in);
        clg_tensor_destroy(out);
    }
    printf("reference: %d images match PyTorch (max logit error %.2e of the largest), "
           "accuracy %.3f\n",
           REFERENCE_IMAGES, worst, (double)correct / REFERENCE_IMAGES);
    clg_tensor_destroy(want);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
    clg_idx_destroy(images);
    clg_idx_destroy(labels);
}
END_TEST

/* ---- Runner ------------------------------------------------------------------- */

int main(void)
{
    Suite *s = suite_create("eval");
    clg_add_case(s, "eval:idx_good", idx_good, 0, 0, setup, teardown);
    clg_add_case(s, "eval:idx_hostile", idx_hostile,
                 (int)(sizeof hostile_files / sizeof *hostile_files), 0, setup, teardown);
    clg_add_case(s, "eval:idx_bad_files", idx_bad_files, 0, 0, setup, teardown);
    clg_add_case(s, "eval:fashion_mnist", fashion_mnist, 0, 600, NULL, NULL);
    clg_add_case(s, "eval:reference_500", reference_500, 0, 600, NULL, NULL);
    return clg_run_suite(s);
}
