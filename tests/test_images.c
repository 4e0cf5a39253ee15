/*
 * Images: PNG / JPEG decoding (files written here with libpng's and
 * TurboJPEG's encoders), bad and hostile files, the bilinear resize and the
 * whole preprocessing against PyTorch (the .npy files in tests/data/images/, made by
 * tools/make-image-golden.py), the resize of the shorter side and center
 * crop against torchvision, and preprocessing read from model metadata or
 * given as overrides.
 */
#include <check.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <unistd.h>
#include <zlib.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "context_fixture.h"
#include "golden.h"
#include "image.h"
#include "onnx.pb-c.h"
#include "tensor_io.h"

/* ---- Temp files -------------------------------------------------------- */

#define TMP_FIXTURE_PREFIX "clg_images"
#include "tmp_fixture.h"

/* ---- Synthetic images and encoders ---------------------------------------- */

/* The pattern of tools/make-image-golden.py. */
static unsigned char *pattern(int h, int w, int c)
{
    unsigned char *p = malloc((size_t)h * w * c);
    ck_assert_ptr_nonnull(p);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < c; k++) p[((size_t)y * w + x) * c + k] = (37 * y + 11 * x + 101 * k + 7) % 256;
    return p;
}

/* A smooth image (JPEG is lossy; smooth content keeps the error small). */
static unsigned char *smooth(int h, int w, int c)
{
    unsigned char *p = malloc((size_t)h * w * c);
    ck_assert_ptr_nonnull(p);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int k = 0; k < c; k++) p[((size_t)y * w + x) * c + k] = (unsigned char)(20 + 3 * x + 2 * y + 40 * k);
    return p;
}

/* PNG from pixels with 1 (G), 2 (GA), 3 (RGB) or 4 (RGBA) channels. */
static unsigned char *encode_png(const unsigned char *pixels, int w, int h, int c, size_t *size)
{
    static const png_uint_32 formats[] = {0, PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB,
                                          PNG_FORMAT_RGBA};
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)w;
    img.height = (png_uint_32)h;
    img.format = formats[c];
    png_alloc_size_t n = 0;
    ck_assert(png_image_write_to_memory(&img, NULL, &n, 0, pixels, 0, NULL));
    unsigned char *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    ck_assert_msg(png_image_write_to_memory(&img, buf, &n, 0, pixels, 0, NULL), "%s", img.message);
    *size = n;
    return buf;
}

static unsigned char *encode_jpeg(const unsigned char *pixels, int w, int h, int c, size_t *size)
{
    tjhandle tj = tjInitCompress();
    ck_assert_ptr_nonnull(tj);
    unsigned char *jpeg = NULL;
    unsigned long n = 0;
    ck_assert_msg(tjCompress2(tj, pixels, w, 0, h, c == 1 ? TJPF_GRAY : TJPF_RGB, &jpeg, &n,
                              c == 1 ? TJSAMP_GRAY : TJSAMP_444, 100, 0) == 0,
                  "%s", tjGetErrorStr2(tj));
    unsigned char *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, jpeg, n);
    tjFree(jpeg);
    tjDestroy(tj);
    *size = n;
    return buf;
}

static clg_image *load_ok(const char *path)
{
    clg_image *img = NULL;
    clg_status st = clg_image_load(path, &img);
    ck_assert_msg(st == CLG_OK, "%s: %s", path, clg_last_error());
    return img;
}

/* ---- Decoding ---------------------------------------------------------------- */

START_TEST(png_gray_rgb)
{
    for (int c = 1; c <= 3; c += 2) {
        unsigned char *px = pattern(7, 13, c);
        size_t n;
        unsigned char *png = encode_png(px, 13, 7, c, &n);
        clg_image *img = load_ok(tmp_file(c == 1 ? "gray.png" : "rgb.png", png, n));
        ck_assert_int_eq(img->width, 13);
        ck_assert_int_eq(img->height, 7);
        ck_assert_int_eq(img->channels, c);
        ck_assert_mem_eq(img->pixels, px, (size_t)7 * 13 * c);
        clg_image_destroy(img);
        free(png);
        free(px);
    }
}
END_TEST

/* Alpha is dropped by compositing onto black. */
START_TEST(png_alpha)
{
    for (int c = 2; c <= 4; c += 2) {
        unsigned char px[2 * 4];
        for (int i = 0; i < c; i++) px[i] = 200, px[c + i] = 90; /* pixel 0 and 1 */
        px[c - 1] = 255;                                         /* pixel 0 opaque */
        px[2 * c - 1] = 0;                                       /* pixel 1 transparent */
        size_t n;
        unsigned char *png = encode_png(px, 2, 1, c, &n);
        clg_image *img = NULL;
        ck_assert_int_eq(clg_image_decode(png, n, "alpha.png", &img), CLG_OK);
        ck_assert_int_eq(img->channels, c - 1);
        for (int i = 0; i < c - 1; i++) {
            ck_assert_uint_eq(img->pixels[i], 200);
            ck_assert_uint_eq(img->pixels[c - 1 + i], 0);
        }
        clg_image_destroy(img);
        free(png);
    }
}
END_TEST

START_TEST(jpeg_gray_rgb)
{
    for (int c = 1; c <= 3; c += 2) {
        unsigned char *px = smooth(24, 40, c);
        size_t n;
        unsigned char *jpeg = encode_jpeg(px, 40, 24, c, &n);
        clg_image *img = load_ok(tmp_file(c == 1 ? "gray.jpg" : "rgb.jpeg", jpeg, n));
        ck_assert_int_eq(img->width, 40);
        ck_assert_int_eq(img->height, 24);
        ck_assert_int_eq(img->channels, c);
        int max_err = 0;
        for (size_t i = 0; i < (size_t)24 * 40 * c; i++)
            max_err = abs(img->pixels[i] - px[i]) > max_err ? abs(img->pixels[i] - px[i]) : max_err;
        ck_assert_msg(max_err <= 3, "quality-100 JPEG differs by %d", max_err);
        clg_image_destroy(img);
        free(jpeg);
        free(px);
    }
}
END_TEST

/* The content decides, not the name. */
START_TEST(sniff)
{
    unsigned char *px = pattern(3, 5, 1);
    size_t n_png, n_jpeg;
    unsigned char *png = encode_png(px, 5, 3, 1, &n_png);
    unsigned char *jpeg = encode_jpeg(px, 5, 3, 1, &n_jpeg);
    const char *png_as_jpg = tmp_file("really-png.jpg", png, n_png);
    clg_image *img = load_ok(png_as_jpg);
    ck_assert_mem_eq(img->pixels, px, 15); /* lossless: it was read as PNG */
    clg_image_destroy(img);
    img = load_ok(tmp_file("really-jpeg.png", jpeg, n_jpeg));
    ck_assert_int_eq(img->width, 5);
    clg_image_destroy(img);
    ck_assert_int_eq(clg_image_sniff(png, n_png), 1);
    ck_assert_int_eq(clg_image_sniff(jpeg, n_jpeg), 1);
    ck_assert_int_eq(clg_image_sniff(png, 4), 0);
    ck_assert_int_eq(clg_image_sniff("GIF89a", 6), 0);
    ck_assert_int_eq(clg_image_file_sniff(png_as_jpg), 1);
    ck_assert_int_eq(clg_image_file_sniff("/nonexistent/x.png"), 0);
    free(png);
    free(jpeg);
    free(px);
}
END_TEST

START_TEST(unknown_and_missing)
{
    clg_image *img = NULL;
    const char *gif = tmp_file("a.png", "GIF89a\1\0\1\0", 10);
    ck_assert_fails(clg_image_load(gif, &img), CLG_ERR_UNSUPPORTED, "unknown image format");
    ck_assert_fails(clg_image_load(gif, &img), CLG_ERR_UNSUPPORTED, gif);
    ck_assert_fails(clg_image_load(tmp_file("empty.png", "", 0), &img), CLG_ERR_UNSUPPORTED,
                    "unknown image format");
    ck_assert_fails(clg_image_load("/nonexistent/dir/x.png", &img), CLG_ERR_IO, "x.png");
    ck_assert_fails(clg_image_load(NULL, &img), CLG_ERR_INVALID_ARGUMENT, "NULL");
    ck_assert_ptr_null(img);
}
END_TEST

START_TEST(png_truncated_corrupt)
{
    unsigned char *px = pattern(64, 64, 3);
    size_t n;
    unsigned char *png = encode_png(px, 64, 64, 3, &n);
    clg_image *img = NULL;
    const size_t cuts[] = {8, 20, 40, n / 2, n - 20};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        char name[32];
        snprintf(name, sizeof name, "cut%zu.png", cuts[i]);
        const char *path = tmp_file(name, png, cuts[i]);
        ck_assert_fails(clg_image_load(path, &img), CLG_ERR_PARSE, path);
        ck_assert_fails(clg_image_load(path, &img), CLG_ERR_PARSE, "PNG: ");
        ck_assert_ptr_null(img);
    }
    /* A flipped byte in the compressed image data. */
    png[n / 2] ^= 0x55;
    const char *path = tmp_file("flipped.png", png, n);
    ck_assert_fails(clg_image_load(path, &img), CLG_ERR_PARSE, "corrupt or truncated PNG: ");
    /* A header whose CRC does not match. */
    png[n / 2] ^= 0x55;
    png[29] ^= 0x01;
    path = tmp_file("bad-crc.png", png, n);
    ck_assert_fails(clg_image_load(path, &img), CLG_ERR_PARSE, "CRC error");
    free(png);
    free(px);
}
END_TEST

START_TEST(jpeg_truncated_corrupt)
{
    unsigned char *px = smooth(64, 64, 3);
    size_t n;
    unsigned char *jpeg = encode_jpeg(px, 64, 64, 3, &n);
    clg_image *img = NULL;
    const char *path = tmp_file("half.jpg", jpeg, n / 2);
    ck_assert_fails(clg_image_load(path, &img), CLG_ERR_PARSE, "corrupt or truncated JPEG");
    ck_assert_fails(clg_image_load(path, &img), CLG_ERR_PARSE, "half.jpg");
    ck_assert_fails(clg_image_load(path, &img), CLG_ERR_PARSE, "Premature end");
    path = tmp_file("head.jpg", jpeg, 12);
    ck_assert_fails(clg_image_load(path, &img), CLG_ERR_PARSE, "no image header (Premature end");
    path = tmp_file("tables.jpg", jpeg, 22); /* cut inside a quantisation table */
    ck_assert_fails(clg_image_load(path, &img), CLG_ERR_PARSE, "tables.jpg: corrupt JPEG: ");
    unsigned char garbage[64] = {0xff, 0xd8, 0xff};
    for (size_t i = 3; i < sizeof garbage; i++) garbage[i] = (unsigned char)(i * 77);
    path = tmp_file("garbage.jpg", garbage, sizeof garbage);
    ck_assert_fails(clg_image_load(path, &img), CLG_ERR_PARSE, "garbage.jpg: corrupt");
    ck_assert_ptr_null(img);
    free(jpeg);
    free(px);
}
END_TEST

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = (unsigned char)v;
}

/* Headers that declare huge images are refused before pixels are allocated. */
START_TEST(huge_dimensions)
{
    unsigned char *px = pattern(8, 8, 1);
    size_t n;
    unsigned char *png = encode_png(px, 8, 8, 1, &n);
    clg_image *img = NULL;
    /* IHDR: length(4) "IHDR"(4) width(4) height(4) ... CRC over type + data. */
    const uint32_t sizes[][2] = {{20000, 8}, {12000, 9000}};
    for (int i = 0; i < 2; i++) {
        put_be32(png + 16, sizes[i][0]);
        put_be32(png + 20, sizes[i][1]);
        put_be32(png + 29, (uint32_t)crc32(0, png + 12, 17));
        ck_assert_fails(clg_image_decode(png, n, "huge.png", &img), CLG_ERR_UNSUPPORTED,
                        "too large");
    }
    free(png);
    unsigned char *jpeg = encode_jpeg(px, 8, 8, 1, &n);
    size_t sof = 2;
    while (sof + 9 < n && !(jpeg[sof] == 0xff && jpeg[sof + 1] == 0xc0)) sof++;
    ck_assert_msg(sof + 9 < n, "no SOF0 marker");
    jpeg[sof + 5] = 30000 >> 8, jpeg[sof + 6] = 30000 & 0xff; /* height */
    jpeg[sof + 7] = 30000 >> 8, jpeg[sof + 8] = 30000 & 0xff; /* width */
    ck_assert_fails(clg_image_decode(jpeg, n, "huge.jpg", &img), CLG_ERR_UNSUPPORTED,
                    "huge.jpg: image of 30000x30000 pixels is too large");
    ck_assert_ptr_null(img);
    free(jpeg);
    free(px);
}
END_TEST

/* ---- Resize and preprocessing against PyTorch -------------------------------- */

START_TEST(resize_plane)
{
    const float src[2] = {0.0f, 1.0f};
    float dst[4];
    ck_assert_int_eq(clg_resize_bilinear(src, 1, 2, dst, 1, 4), CLG_OK);
    /* Source x = (i + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (upper clamped). */
    const float want[4] = {0.0f, 0.25f, 0.75f, 1.0f};
    for (int i = 0; i < 4; i++) ck_assert_float_eq(dst[i], want[i]);
    float same[2];
    ck_assert_int_eq(clg_resize_bilinear(src, 2, 1, same, 2, 1), CLG_OK);
    ck_assert_float_eq(same[0], 0.0f);
    ck_assert_float_eq(same[1], 1.0f);
    ck_assert_fails(clg_resize_bilinear(src, 0, 2, dst, 1, 4), CLG_ERR_INVALID_ARGUMENT, "bad");
}
END_TEST

START_TEST(luma)
{
    /* PIL: Image.fromarray(rgb, 'RGB').convert('L') (tools/make-image-golden.py prints these). */
    static const unsigned char rgb[][3] = {{0, 0, 0},    {255, 255, 255}, {255, 0, 0},     {0, 255, 0},
                                           {0, 0, 255}, {12, 200, 99},   {128, 128, 127}, {1, 2, 3}};
    static const unsigned char want[] = {0, 255, 76, 150, 29, 132, 128, 2};
    for (size_t i = 0; i < sizeof want; i++)
        ck_assert_uint_eq(clg_rgb_to_gray(rgb[i][0], rgb[i][1], rgb[i][2]), want[i]);
}
END_TEST

typedef struct golden_case {
    const char *name;
    int h, w, c, out_h, out_w, channels, bgr;
    float mean[3], std[3];
} golden_case;

static const golden_case golden[] = {
    {"resize-gray-28x28-96x96", 28, 28, 1, 96, 96, 1, 0, {0}, {1}},
    {"resize-gray-5x7-12x9", 5, 7, 1, 12, 9, 1, 0, {0}, {1}},
    {"resize-gray-9x8-4x5", 9, 8, 1, 4, 5, 1, 0, {0}, {1}},
    {"resize-gray-6x6-6x10", 6, 6, 1, 6, 10, 1, 0, {0.5f}, {0.25f}},
    {"resize-rgb-4x6-7x5", 4, 6, 3, 7, 5, 3, 0, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}},
    {"resize-bgr-4x6-7x5", 4, 6, 3, 7, 5, 3, 1, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}},
    {"resize-rgb2gray-4x6-7x5", 4, 6, 3, 7, 5, 1, 0, {0}, {1}},
};

START_TEST(preprocess_golden)
{
    const golden_case *g = &golden[_i];
    char path[1024];
    snprintf(path, sizeof path, "%s/images/%s.npy", golden_dir(), g->name);
    clg_tensor *want = NULL;
    ck_assert_msg(clg_tensor_load_npy(path, &want) == CLG_OK, "%s", clg_last_error());
    clg_image img = {g->w, g->h, g->c, pattern(g->h, g->w, g->c)};
    clg_preprocess pp = {g->channels, g->out_h, g->out_w, g->bgr, 1.0 / 255.0, {0}, {0}, 0};
    for (int c = 0; c < 3; c++) {
        pp.mean[c] = g->mean[g->channels == 1 ? 0 : c];
        pp.std[c] = g->std[g->channels == 1 ? 0 : c];
    }
    const clg_image *list[] = {&img, &img};
    clg_tensor *got = NULL;
    ck_assert_msg(clg_preprocess_images(&pp, list, 2, &got) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(got->rank, 4);
    ck_assert_int_eq(got->dims[0], 2);
    ck_assert_int_eq(got->dims[1], g->channels);
    ck_assert_int_eq(got->dims[2], g->out_h);
    ck_assert_int_eq(got->dims[3], g->out_w);
    size_t n = clg_tensor_element_count(want), exact = 0;
    ck_assert_uint_eq(2 * n, clg_tensor_element_count(got));
    double max_err = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        float a = got->data[i], b = want->data[i % n];
        exact += a == b;
        max_err = fmax(max_err, fabs((double)a - b));
    }
    printf("%s: %zu of %zu values bit-identical to PyTorch, max error %.2g\n", g->name, exact / 2,
           n, max_err);
    /* Bit for bit with GCC here; a compiler that fuses multiply-adds may
       move a value by one float step. */
    ck_assert_msg(exact >= 2 * n - 2 * n / 100 && max_err <= 1e-6, "%s: %zu of %zu exact, max error %g",
                  g->name, exact / 2, n, max_err);
    clg_tensor_destroy(got);
    clg_tensor_destroy(want);
    free(img.pixels);
}
END_TEST

/* Gray to 3 channels copies; bad arguments are refused. */
START_TEST(preprocess_channels)
{
    unsigned char px[4] = {0, 51, 102, 255};
    clg_image img = {2, 2, 1, px};
    const clg_image *list[] = {&img};
    clg_preprocess pp = {3, 2, 2, 0, 1.0 / 255.0, {0, 0, 0}, {1, 1, 1}, 0};
    clg_tensor *t = NULL;
    ck_assert_int_eq(clg_preprocess_images(&pp, list, 1, &t), CLG_OK);
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 4; i++) ck_assert_float_eq(t->data[c * 4 + i], px[i] / 255.0f);
    clg_tensor_destroy(t);
    t = NULL;
    pp.channels = 2;
    ck_assert_fails(clg_preprocess_images(&pp, list, 1, &t), CLG_ERR_INVALID_ARGUMENT, "channels");
    pp.channels = 3;
    ck_assert_fails(clg_preprocess_images(&pp, list, 0, &t), CLG_ERR_INVALID_ARGUMENT, "no images");
    pp.std[1] = 0;
    ck_assert_fails(clg_preprocess_images(&pp, list, 1, &t), CLG_ERR_INVALID_ARGUMENT, "std");
    pp.std[1] = 1;
    clg_image bad = {2, 2, 2, px};
    const clg_image *bad_list[] = {&img, &bad};
    ck_assert_fails(clg_preprocess_images(&pp, bad_list, 2, &t), CLG_ERR_INVALID_ARGUMENT, "image 1");
    ck_assert_ptr_null(t);
}
END_TEST

/* Files decode one at a time into the same batch as decoded images give. */
START_TEST(preprocess_files)
{
    unsigned char *gray = pattern(28, 28, 1), *rgb = smooth(20, 30, 3);
    size_t n1, n2;
    unsigned char *png = encode_png(gray, 28, 28, 1, &n1);
    unsigned char *jpeg = encode_jpeg(rgb, 30, 20, 3, &n2);
    const char *paths[] = {tmp_file("a.png", png, n1), tmp_file("b.jpg", jpeg, n2),
                           "/nonexistent/c.png"};
    clg_preprocess pp = {1, 96, 96, 0, 1.0 / 255.0, {0.1f}, {0.5f}, 0};
    clg_tensor *from_files = NULL, *from_images = NULL;
    ck_assert_msg(clg_preprocess_files(&pp, paths, 2, &from_files) == CLG_OK, "%s",
                  clg_last_error());
    clg_image *a = load_ok(paths[0]), *b = load_ok(paths[1]);
    const clg_image *list[] = {a, b};
    ck_assert_int_eq(clg_preprocess_images(&pp, list, 2, &from_images), CLG_OK);
    ck_assert_int_eq(from_files->dims[0], 2);
    ck_assert_mem_eq(from_files->data, from_images->data,
                     clg_tensor_element_count(from_files) * sizeof(float));
    clg_tensor *t = NULL;
    ck_assert_fails(clg_preprocess_files(&pp, paths, 3, &t), CLG_ERR_IO, "c.png");
    ck_assert_ptr_null(t);
    clg_tensor_destroy(from_files);
    clg_tensor_destroy(from_images);
    clg_image_destroy(a);
    clg_image_destroy(b);
    free(png);
    free(jpeg);
    free(gray);
    free(rgb);
}
END_TEST

/* ---- Preprocessing from metadata ----------------------------------------------- */

/* A metadata table: pairs of key, value, ended by NULL. */
static const char *table_get(const void *ctx, const char *key)
{
    for (const char *const *kv = ctx; kv[0]; kv += 2)
        if (!strcmp(kv[0], key)) return kv[1];
    return NULL;
}

static clg_io_info input_info(int64_t n, int64_t c, int64_t h, int64_t w)
{
    clg_io_info in = {"input", 4, {n, c, h, w}, CLG_ELEM_FLOAT32, {NULL}};
    return in;
}

START_TEST(metadata_defaults)
{
    const char *none[] = {NULL};
    clg_io_info in = input_info(-1, 1, 96, 96);
    clg_preprocess pp;
    ck_assert_int_eq(clg_preprocess_parse(&in, table_get, none, &pp), CLG_OK);
    ck_assert_int_eq(pp.channels, 1);
    ck_assert_int_eq(pp.height, 96);
    ck_assert_int_eq(pp.width, 96);
    ck_assert_int_eq(pp.bgr, 0);
    ck_assert(pp.scale == 1.0 / 255.0);
    ck_assert_float_eq(pp.mean[0], 0.0f);
    ck_assert_float_eq(pp.std[0], 1.0f);
    ck_assert_int_eq(pp.resize_shorter, 0);
    in = input_info(1, 3, 224, 200);
    ck_assert_int_eq(clg_preprocess_parse(&in, table_get, none, &pp), CLG_OK);
    ck_assert_int_eq(pp.channels, 3);
    ck_assert_int_eq(pp.height, 224);
    ck_assert_int_eq(pp.width, 200);
    for (int c = 0; c < 3; c++) ck_assert_float_eq(pp.std[c], 1.0f);
}
END_TEST

START_TEST(metadata_full)
{
    /* What tools/train/export_model.py writes, plus a symbolic input size. */
    const char *trained[] = {"clgooglenet.classes", "T-shirt/top,Trouser",
                             "clgooglenet.input_layout", "NCHW",
                             "clgooglenet.input_channels", "1",
                             "clgooglenet.resize", "96x96",
                             "clgooglenet.resize_method", "bilinear",
                             "clgooglenet.resize_align_corners", "0",
                             "clgooglenet.resize_antialias", "0",
                             "clgooglenet.scale", "0.00392156862745098",
                             "clgooglenet.mean", "0",
                             "clgooglenet.std", "1",
                             NULL};
    clg_io_info in = input_info(-1, -1, -1, -1);
    clg_preprocess pp;
    ck_assert_msg(clg_preprocess_parse(&in, table_get, trained, &pp) == CLG_OK, "%s",
                  clg_last_error());
    ck_assert_int_eq(pp.channels, 1);
    ck_assert_int_eq(pp.height, 96);
    ck_assert_int_eq(pp.width, 96);
    ck_assert(pp.scale == 1.0 / 255.0);
    const char *imagenet[] = {"clgooglenet.input_channels", "3",
                              "clgooglenet.resize", "224X200",
                              "clgooglenet.scale", "1",
                              "clgooglenet.mean", " 123.675, 116.28,103.53 ",
                              "clgooglenet.std", "58.395,57.12,57.375",
                              "clgooglenet.channel_order", "bgr",
                              NULL};
    in = input_info(1, 3, 224, 200);
    ck_assert_msg(clg_preprocess_parse(&in, table_get, imagenet, &pp) == CLG_OK, "%s",
                  clg_last_error());
    ck_assert_int_eq(pp.height, 224);
    ck_assert_int_eq(pp.width, 200);
    ck_assert_int_eq(pp.bgr, 1);
    ck_assert(pp.scale == 1.0);
    ck_assert_float_eq(pp.mean[1], 116.28f);
    ck_assert_float_eq(pp.std[2], 57.375f);
}
END_TEST

typedef struct bad_case {
    const char *key, *value;
    int64_t c; /* the model input's channel count */
    clg_status status;
    const char *message;
} bad_case;

static const bad_case bad_metadata[] = {
    {"clgooglenet.input_channels", "abc", 1, CLG_ERR_PARSE, "clgooglenet.input_channels"},
    {"clgooglenet.input_channels", "1.5", -1, CLG_ERR_PARSE, "clgooglenet.input_channels"},
    {"clgooglenet.input_channels", "3", 1, CLG_ERR_SHAPE, "clgooglenet.input_channels=3"},
    {"clgooglenet.input_channels", "4", -1, CLG_ERR_UNSUPPORTED, "1 or 3 channels"},
    {"clgooglenet.resize", "96", 1, CLG_ERR_PARSE, "clgooglenet.resize"},
    {"clgooglenet.resize", "96x", 1, CLG_ERR_PARSE, "HEIGHTxWIDTH"},
    {"clgooglenet.resize", "0x96", 1, CLG_ERR_PARSE, "clgooglenet.resize"},
    {"clgooglenet.resize", "99999x96", 1, CLG_ERR_PARSE, "clgooglenet.resize"},
    {"clgooglenet.resize", "100x100", 1, CLG_ERR_SHAPE, "clgooglenet.resize=100x100"},
    {"clgooglenet.resize_method", "nearest", 1, CLG_ERR_UNSUPPORTED, "clgooglenet.resize_method"},
    {"clgooglenet.resize_align_corners", "1", 1, CLG_ERR_UNSUPPORTED, "resize_align_corners=1"},
    {"clgooglenet.resize_align_corners", "yes", 1, CLG_ERR_PARSE, "resize_align_corners"},
    {"clgooglenet.resize_antialias", "true", 1, CLG_ERR_UNSUPPORTED, "clgooglenet.resize_antialias"},
    {"clgooglenet.input_layout", "NHWC", 1, CLG_ERR_UNSUPPORTED, "clgooglenet.input_layout"},
    {"clgooglenet.scale", "abc", 1, CLG_ERR_PARSE, "clgooglenet.scale"},
    {"clgooglenet.scale", "1/255", 1, CLG_ERR_PARSE, "clgooglenet.scale"},
    {"clgooglenet.scale", "0", 1, CLG_ERR_PARSE, "clgooglenet.scale"},
    {"clgooglenet.scale", "inf", 1, CLG_ERR_PARSE, "clgooglenet.scale"},
    {"clgooglenet.scale", "", 1, CLG_ERR_PARSE, "clgooglenet.scale"},
    {"clgooglenet.mean", "0.1,0.2", 1, CLG_ERR_PARSE, "clgooglenet.mean"},
    {"clgooglenet.mean", "0.1,0.2", 3, CLG_ERR_PARSE, "2 values for 3 channels"},
    {"clgooglenet.mean", "0.1,,0.3", 3, CLG_ERR_PARSE, "clgooglenet.mean"},
    {"clgooglenet.mean", "1,2,3,4", 3, CLG_ERR_PARSE, "clgooglenet.mean"},
    {"clgooglenet.mean", "x", 1, CLG_ERR_PARSE, "clgooglenet.mean"},
    {"clgooglenet.std", "0", 1, CLG_ERR_PARSE, "clgooglenet.std"},
    {"clgooglenet.std", "1,0,1", 3, CLG_ERR_PARSE, "clgooglenet.std"},
    {"clgooglenet.channel_order", "GRB", 3, CLG_ERR_PARSE, "clgooglenet.channel_order"},
    {"clgooglenet.resize_shorter", "0", 1, CLG_ERR_PARSE, "clgooglenet.resize_shorter: '0'"},
    {"clgooglenet.resize_shorter", "12.5", 1, CLG_ERR_PARSE, "clgooglenet.resize_shorter"},
    {"clgooglenet.resize_shorter", "99999", 1, CLG_ERR_PARSE, "side length from 1 to 16384"},
    {"clgooglenet.resize_shorter", "256x256", 1, CLG_ERR_PARSE, "clgooglenet.resize_shorter"},
    {"clgooglenet.center_crop", "96x", 1, CLG_ERR_PARSE, "SIZE or HEIGHTxWIDTH"},
    {"clgooglenet.center_crop", "0", 1, CLG_ERR_PARSE, "clgooglenet.center_crop"},
    {"clgooglenet.center_crop", "-96", 1, CLG_ERR_PARSE, "clgooglenet.center_crop"},
    {"clgooglenet.center_crop", "abc", 1, CLG_ERR_PARSE, "clgooglenet.center_crop"},
    /* A crop alone: only after a resize of the shorter side. */
    {"clgooglenet.center_crop", "96", 1, CLG_ERR_UNSUPPORTED,
     "center_crop=96: a center crop follows a resize of the shorter side"},
};

START_TEST(metadata_errors)
{
    const bad_case *b = &bad_metadata[_i];
    const char *table[] = {b->key, b->value, NULL};
    clg_io_info in = input_info(-1, b->c, 96, 96);
    clg_preprocess pp;
    ck_assert_fails(clg_preprocess_parse(&in, table_get, table, &pp), b->status, b->message);
}
END_TEST

START_TEST(metadata_shape_errors)
{
    const char *none[] = {NULL};
    clg_preprocess pp;
    clg_io_info in = input_info(-1, -1, 96, 96);
    ck_assert_fails(clg_preprocess_parse(&in, table_get, none, &pp), CLG_ERR_UNSUPPORTED,
                    "clgooglenet.input_channels");
    in = input_info(-1, 1, -1, 96);
    ck_assert_fails(clg_preprocess_parse(&in, table_get, none, &pp), CLG_ERR_UNSUPPORTED,
                    "clgooglenet.resize");
    in = input_info(-1, 2, 96, 96);
    ck_assert_fails(clg_preprocess_parse(&in, table_get, none, &pp), CLG_ERR_UNSUPPORTED,
                    "1 or 3 channels");
    in.rank = 2;
    ck_assert_fails(clg_preprocess_parse(&in, table_get, none, &pp), CLG_ERR_UNSUPPORTED, "rank-4");
}
END_TEST

/* ---- Resize of the shorter side and center crop ---------------------------------- */

/* Resizing the shorter side to its own length leaves the image as it is, so
   the crop is a plain window: its offsets are torchvision's, Python's round
   taking a half to the even neighbour. */
START_TEST(crop_offsets)
{
    static const struct {
        int h, w, crop_h, crop_w, top, left;
    } cases[] = {
        {5, 8, 3, 5, 1, 2},  /* (8 - 5) / 2 = 1.5 -> 2 */
        {5, 9, 3, 4, 1, 2},  /* 2.5 -> 2 */
        {5, 9, 3, 2, 1, 4},  /* 3.5 -> 4 */
        {9, 5, 2, 5, 4, 0},  /* portrait: 3.5 -> 4 */
        {6, 6, 6, 6, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const int h = cases[i].h, w = cases[i].w, ch = cases[i].crop_h, cw = cases[i].crop_w;
        clg_image img = {w, h, 1, pattern(h, w, 1)};
        const clg_image *list[] = {&img};
        clg_preprocess pp = {1, ch, cw, 0, 1.0, {0}, {1}, h < w ? h : w};
        clg_tensor *t = NULL;
        ck_assert_msg(clg_preprocess_images(&pp, list, 1, &t) == CLG_OK, "%s", clg_last_error());
        ck_assert_int_eq(t->dims[2], ch);
        ck_assert_int_eq(t->dims[3], cw);
        for (int y = 0; y < ch; y++)
            for (int x = 0; x < cw; x++)
                ck_assert_msg(t->data[y * cw + x] ==
                                  img.pixels[(cases[i].top + y) * w + cases[i].left + x],
                              "case %zu: (%d, %d)", i, y, x);
        clg_tensor_destroy(t);
        free(img.pixels);
    }
}
END_TEST

typedef struct crop_case {
    const char *name, *file, *crop, *mean, *std, *order;
    int crop_h, crop_w;
} crop_case;

/* tools/make-image-golden.py's CROP_CASES: resize the shorter side to 40. */
static const crop_case crop_cases[] = {
    {"crop-rgb-45x60-s40-c32", "photo-45x60.jpg", "32", "0.485,0.456,0.406",
     "0.229,0.224,0.225", "RGB", 32, 32},
    {"crop-bgr-51x37-s40-c32x30", "photo-51x37.png", "32x30", "0.5", "0.25", "BGR", 32, 30},
};

/* Metadata to batch, a JPEG and a PNG file, against torchvision's Resize(40),
   CenterCrop and Normalize on tensors. */
START_TEST(crop_golden)
{
    const crop_case *g = &crop_cases[_i];
    const char *table[] = {"clgooglenet.resize_shorter", "40",      "clgooglenet.center_crop",
                           g->crop,                      "clgooglenet.mean", g->mean,
                           "clgooglenet.std",            g->std,    "clgooglenet.channel_order",
                           g->order,                     NULL};
    clg_io_info in = input_info(-1, 3, g->crop_h, g->crop_w);
    clg_preprocess pp;
    ck_assert_msg(clg_preprocess_parse(&in, table_get, table, &pp) == CLG_OK, "%s",
                  clg_last_error());
    ck_assert_int_eq(pp.resize_shorter, 40);
    ck_assert_int_eq(pp.height, g->crop_h);
    ck_assert_int_eq(pp.width, g->crop_w);
    char image[1024], path[1024];
    snprintf(image, sizeof image, "%s/images/%s", golden_dir(), g->file);
    snprintf(path, sizeof path, "%s/images/%s.npy", golden_dir(), g->name);
    clg_tensor *want = NULL, *got = NULL;
    ck_assert_msg(clg_tensor_load_npy(path, &want) == CLG_OK, "%s", clg_last_error());
    const char *paths[] = {image};
    ck_assert_msg(clg_preprocess_files(&pp, paths, 1, &got) == CLG_OK, "%s", clg_last_error());
    size_t n = clg_tensor_element_count(want), exact = 0;
    ck_assert_uint_eq(n, clg_tensor_element_count(got));
    ck_assert_int_eq(got->dims[1], 3);
    double max_err = 0;
    for (size_t i = 0; i < n; i++) {
        exact += got->data[i] == want->data[i];
        max_err = fmax(max_err, fabs((double)got->data[i] - want->data[i]));
    }
    printf("%s: %zu of %zu values bit-identical to torchvision, max error %.2g\n", g->name, exact,
           n, max_err);
    ck_assert_msg(exact >= n - n / 100 && max_err <= 1e-6, "%s: %zu of %zu exact, max error %g",
                  g->name, exact, n, max_err);
    clg_tensor_destroy(got);
    clg_tensor_destroy(want);
}
END_TEST

/* A crop that does not fit one image's resize fails for that image. */
START_TEST(crop_too_large)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/images/photo-51x37.png", golden_dir());
    clg_image *portrait = load_ok(path);
    const clg_image *list[] = {portrait};
    /* 51x37 -> 55x40: 32 rows fit, 50 columns do not. */
    clg_preprocess pp = {3, 32, 50, 0, 1.0 / 255.0, {0, 0, 0}, {1, 1, 1}, 40};
    clg_tensor *t = NULL;
    ck_assert_fails(clg_preprocess_images(&pp, list, 1, &t), CLG_ERR_SHAPE,
                    "resized to 55x40 (shorter side 40) is smaller than the 32x50 center crop");
    ck_assert_ptr_null(t);
    /* The same crop fits the resize of a landscape image (50 columns of 53). */
    pp.height = 40;
    pp.width = 50;
    clg_image landscape = {60, 45, 3, smooth(45, 60, 3)};
    list[0] = &landscape;
    ck_assert_msg(clg_preprocess_images(&pp, list, 1, &t) == CLG_OK, "%s", clg_last_error());
    clg_tensor_destroy(t);
    t = NULL;
    pp.resize_shorter = -1;
    ck_assert_fails(clg_preprocess_images(&pp, list, 1, &t), CLG_ERR_INVALID_ARGUMENT,
                    "resize_shorter");
    clg_image_destroy(portrait);
    free(landscape.pixels);
}
END_TEST

/* resize_shorter and center_crop together, and against the input's size. */
START_TEST(metadata_crop)
{
    clg_preprocess pp;
    clg_io_info in = input_info(-1, 1, 96, 96);
    const char *shorter[] = {"clgooglenet.resize_shorter", "100", NULL};
    ck_assert_msg(clg_preprocess_parse(&in, table_get, shorter, &pp) == CLG_OK, "%s",
                  clg_last_error());
    ck_assert_int_eq(pp.resize_shorter, 100);
    ck_assert_int_eq(pp.height, 96);
    ck_assert_int_eq(pp.width, 96);
    const char *square[] = {"clgooglenet.resize_shorter", "100", "clgooglenet.center_crop", "96",
                            NULL};
    ck_assert_int_eq(clg_preprocess_parse(&in, table_get, square, &pp), CLG_OK);
    const char *hw[] = {"clgooglenet.resize_shorter", "100", "clgooglenet.center_crop", "96X96",
                        NULL};
    ck_assert_int_eq(clg_preprocess_parse(&in, table_get, hw, &pp), CLG_OK);
    ck_assert_int_eq(pp.width, 96);

    /* The crop must be the input's size. */
    const char *other[] = {"clgooglenet.resize_shorter", "256", "clgooglenet.center_crop", "224",
                           NULL};
    ck_assert_fails(clg_preprocess_parse(&in, table_get, other, &pp), CLG_ERR_SHAPE,
                    "metadata clgooglenet.center_crop: a 224x224 center crop but input 'input' "
                    "is 96x96");
    const char *wide[] = {"clgooglenet.resize_shorter", "100", "clgooglenet.center_crop", "96x90",
                          NULL};
    ck_assert_fails(clg_preprocess_parse(&in, table_get, wide, &pp), CLG_ERR_SHAPE,
                    "clgooglenet.center_crop");

    /* A symbolic input size takes the crop's; without one there is no size. */
    in = input_info(-1, 3, -1, -1);
    ck_assert_int_eq(clg_preprocess_parse(&in, table_get, other, &pp), CLG_OK);
    ck_assert_int_eq(pp.height, 224);
    ck_assert_int_eq(pp.resize_shorter, 256);
    ck_assert_fails(clg_preprocess_parse(&in, table_get, shorter, &pp), CLG_ERR_UNSUPPORTED,
                    "no fixed height and width and there is no clgooglenet.center_crop");

    /* One resize only; a crop larger than the shorter side on both sides never fits. */
    const char *both[] = {"clgooglenet.resize", "96x96", "clgooglenet.resize_shorter", "100",
                          NULL};
    ck_assert_fails(clg_preprocess_parse(&in, table_get, both, &pp), CLG_ERR_PARSE,
                    "exclude each other");
    const char *small[] = {"clgooglenet.resize_shorter", "200", "clgooglenet.center_crop", "224",
                           NULL};
    ck_assert_fails(clg_preprocess_parse(&in, table_get, small, &pp), CLG_ERR_SHAPE,
                    "a 224x224 center crop does not fit in an image whose shorter side is "
                    "resized to 200");
    /* A crop longer than it on one side only fits the images long that way. */
    const char *tall[] = {"clgooglenet.resize_shorter", "200", "clgooglenet.center_crop",
                          "224x200", NULL};
    ck_assert_int_eq(clg_preprocess_parse(&in, table_get, tall, &pp), CLG_OK);
}
END_TEST

/* ---- A real model with metadata_props -------------------------------------------- */

/* tests/data/d2l_small.onnx with the given metadata_props, loaded from memory. */
static clg_model *model_with_metadata(clg_context *ctx, const char *const *kv)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/d2l_small.onnx", golden_dir());
    unsigned char *data;
    size_t size;
    ck_assert_int_eq(clg_read_file(path, &data, &size), CLG_OK);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, size, data);
    ck_assert_ptr_nonnull(m);
    Onnx__StringStringEntryProto entries[16], *list[16];
    size_t n = 0;
    for (; kv[2 * n]; n++) {
        onnx__string_string_entry_proto__init(&entries[n]);
        entries[n].key = (char *)kv[2 * n];
        entries[n].value = (char *)kv[2 * n + 1];
        list[n] = &entries[n];
    }
    size_t saved_n = m->n_metadata_props;
    Onnx__StringStringEntryProto **saved = m->metadata_props;
    m->n_metadata_props = n;
    m->metadata_props = list;
    size_t len = onnx__model_proto__get_packed_size(m);
    unsigned char *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    onnx__model_proto__pack(m, buf);
    m->n_metadata_props = saved_n;
    m->metadata_props = saved;
    onnx__model_proto__free_unpacked(m, NULL);
    free(data);
    clg_model *model = NULL;
    ck_assert_msg(clg_model_load_memory(ctx, buf, len, &model) == CLG_OK, "%s", clg_last_error());
    free(buf);
    return model;
}

START_TEST(model_metadata)
{
    clg_context *ctx = require_context();
    const char *kv[] = {"clgooglenet.classes", "T-shirt/top, Trouser ,Ankle boot",
                        "clgooglenet.std", "0.5",
                        NULL};
    clg_model *model = model_with_metadata(ctx, kv);
    clg_preprocess pp;
    ck_assert_msg(clg_preprocess_from_model(model, &pp) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(pp.channels, 1);
    ck_assert_int_eq(pp.height, 96);
    ck_assert_float_eq(pp.std[0], 0.5f);
    char **names = NULL;
    size_t count = 0;
    ck_assert_int_eq(clg_model_class_names(model, &names, &count), CLG_OK);
    ck_assert_uint_eq(count, 3);
    ck_assert_str_eq(names[0], "T-shirt/top");
    ck_assert_str_eq(names[1], "Trouser");
    ck_assert_str_eq(names[2], "Ankle boot");
    free(names);
    clg_model_destroy(model);

    const char *bad[] = {"clgooglenet.resize", "96x95", NULL};
    model = model_with_metadata(ctx, bad);
    ck_assert_fails(clg_preprocess_from_model(model, &pp), CLG_ERR_SHAPE, "clgooglenet.resize");
    clg_model_destroy(model);

    const char *none[] = {NULL};
    model = model_with_metadata(ctx, none);
    ck_assert_int_eq(clg_model_class_names(model, &names, &count), CLG_OK);
    ck_assert_ptr_null(names);
    ck_assert_uint_eq(count, 0);
    ck_assert_int_eq(clg_preprocess_from_model(model, &pp), CLG_OK);
    ck_assert_int_eq(pp.width, 96);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
}
END_TEST

/* Overrides (the CLI's flags) in place of the model's metadata. */
START_TEST(model_overrides)
{
    clg_context *ctx = require_context();
    const char *kv[] = {"clgooglenet.resize", "96x96", "clgooglenet.std", "0.5", NULL};
    clg_model *model = model_with_metadata(ctx, kv);
    clg_preprocess pp;
    /* An overriding resize_shorter drops the model's resize, keeps the rest. */
    const clg_preprocess_override shorter[] = {
        {"clgooglenet.resize_shorter", "110", "--resize-shorter"}};
    ck_assert_msg(clg_preprocess_from_model_with(model, shorter, 1, &pp) == CLG_OK, "%s",
                  clg_last_error());
    ck_assert_int_eq(pp.resize_shorter, 110);
    ck_assert_int_eq(pp.height, 96);
    ck_assert_float_eq(pp.std[0], 0.5f);
    /* Errors name the override; a key given twice: the last counts. */
    const clg_preprocess_override crop[] = {
        {"clgooglenet.resize_shorter", "110", "--resize-shorter"},
        {"clgooglenet.center_crop", "95", "--crop"}};
    ck_assert_fails(clg_preprocess_from_model_with(model, crop, 2, &pp), CLG_ERR_SHAPE,
                    "--crop: a 95x95 center crop but input 'input' is 96x96");
    const clg_preprocess_override mean[] = {{"clgooglenet.mean", "1,2,3", "--mean"}};
    ck_assert_fails(clg_preprocess_from_model_with(model, mean, 1, &pp), CLG_ERR_PARSE,
                    "--mean: '1,2,3' has 3 values for 1 channels");
    const clg_preprocess_override twice[] = {{"clgooglenet.std", "0.1", NULL},
                                             {"clgooglenet.std", "0.25", NULL}};
    ck_assert_int_eq(clg_preprocess_from_model_with(model, twice, 2, &pp), CLG_OK);
    ck_assert_float_eq(pp.std[0], 0.25f);
    const clg_preprocess_override unnamed[] = {{"clgooglenet.scale", "abc", NULL}};
    ck_assert_fails(clg_preprocess_from_model_with(model, unnamed, 1, &pp), CLG_ERR_PARSE,
                    "clgooglenet.scale: 'abc'");
    const clg_preprocess_override unknown[] = {{"clgooglenet.bogus", "1", "--bogus"}};
    ck_assert_fails(clg_preprocess_from_model_with(model, unknown, 1, &pp),
                    CLG_ERR_INVALID_ARGUMENT, "unknown key 'clgooglenet.bogus'");
    ck_assert_fails(clg_preprocess_from_model_with(model, NULL, 1, &pp),
                    CLG_ERR_INVALID_ARGUMENT, "NULL");
    clg_model_destroy(model);

    /* An overriding resize drops the model's resize_shorter and center_crop. */
    const char *cropped[] = {"clgooglenet.resize_shorter", "110", "clgooglenet.center_crop", "96",
                             NULL};
    model = model_with_metadata(ctx, cropped);
    ck_assert_int_eq(clg_preprocess_from_model(model, &pp), CLG_OK);
    ck_assert_int_eq(pp.resize_shorter, 110);
    const clg_preprocess_override resize[] = {{"clgooglenet.resize", "96x96", NULL}};
    ck_assert_int_eq(clg_preprocess_from_model_with(model, resize, 1, &pp), CLG_OK);
    ck_assert_int_eq(pp.resize_shorter, 0);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
}
END_TEST

/* One override's value on its own, as the CLI checks its flags. */
START_TEST(check_override)
{
    static const struct {
        clg_preprocess_override o;
        clg_status status;
        const char *message;
    } cases[] = {
        {{"clgooglenet.center_crop", "224", "--crop"}, CLG_OK, ""},
        {{"clgooglenet.center_crop", "224x200", "--crop"}, CLG_OK, ""},
        {{"clgooglenet.mean", "0.485,0.456,0.406", "--mean"}, CLG_OK, ""},
        {{"clgooglenet.channel_order", "bgr", NULL}, CLG_OK, ""},
        {{"clgooglenet.center_crop", "224x", "--crop"}, CLG_ERR_PARSE, "--crop: '224x'"},
        {{"clgooglenet.mean", "1,2,3,4", "--mean"}, CLG_ERR_PARSE, "--mean: '1,2,3,4'"},
        {{"clgooglenet.std", "0.2,0", "--std"}, CLG_ERR_PARSE, "--std: '0.2,0' has a zero"},
        {{"clgooglenet.scale", "1/255", "--scale"}, CLG_ERR_PARSE, "--scale"},
        {{"clgooglenet.resize_shorter", "0", "--resize-shorter"}, CLG_ERR_PARSE,
         "--resize-shorter"},
        {{"clgooglenet.resize_antialias", "1", NULL}, CLG_ERR_UNSUPPORTED,
         "clgooglenet.resize_antialias=1"},
        {{"clgooglenet.nope", "1", NULL}, CLG_ERR_INVALID_ARGUMENT, "unknown key"},
        {{"clgooglenet.mean", NULL, "--mean"}, CLG_ERR_INVALID_ARGUMENT, "NULL"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (cases[i].status == CLG_OK)
            ck_assert_msg(clg_preprocess_check_override(&cases[i].o) == CLG_OK, "%s: %s",
                          cases[i].o.value, clg_last_error());
        else
            ck_assert_fails(clg_preprocess_check_override(&cases[i].o), cases[i].status,
                            cases[i].message);
    }
    ck_assert_fails(clg_preprocess_check_override(NULL), CLG_ERR_INVALID_ARGUMENT, "NULL");
}
END_TEST

/* ---- Runner ------------------------------------------------------------------- */

int main(void)
{
    Suite *s = suite_create("images");
    /* "images:NAME" runs NAME; a loop test when loop_end > 0. */
#define CASE(name, loop_end) \
    clg_add_case(s, "images:" #name, name, (loop_end), 120, setup, teardown)
    CASE(png_gray_rgb, 0);
    CASE(png_alpha, 0);
    CASE(jpeg_gray_rgb, 0);
    CASE(sniff, 0);
    CASE(unknown_and_missing, 0);
    CASE(png_truncated_corrupt, 0);
    CASE(jpeg_truncated_corrupt, 0);
    CASE(huge_dimensions, 0);
    CASE(resize_plane, 0);
    CASE(luma, 0);
    CASE(preprocess_golden, (int)(sizeof golden / sizeof *golden));
    CASE(preprocess_channels, 0);
    CASE(preprocess_files, 0);
    CASE(crop_offsets, 0);
    CASE(crop_golden, (int)(sizeof crop_cases / sizeof *crop_cases));
    CASE(crop_too_large, 0);
    CASE(metadata_defaults, 0);
    CASE(metadata_full, 0);
    CASE(metadata_errors, (int)(sizeof bad_metadata / sizeof *bad_metadata));
    CASE(metadata_shape_errors, 0);
    CASE(metadata_crop, 0);
    CASE(check_override, 0);
    CASE(model_metadata, 0);
    CASE(model_overrides, 0);
#undef CASE
    return clg_run_suite(s);
}
