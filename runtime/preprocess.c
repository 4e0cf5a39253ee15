/*
 * Image preprocessing: what the model's metadata says (or the documented
 * defaults) turned into an NCHW float32 batch. The order is the training
 * pipeline's: channel conversion, scale, bilinear resize, then (x - mean) / std.
 *
 * The resize reproduces PyTorch's upsample_bilinear2d (CPU, float32,
 * align_corners=False, antialias=False) bit for bit: the source coordinate
 * of output index i is (i + 0.5) * scale - 0.5 with scale = (float)in / out,
 * clamped below at 0; the lower pixel is its floor, the upper one
 * min(lower + 1, in - 1); equal sizes copy. The rounding steps are
 * PyTorch's (found by matching its output exactly, see
 * tools/make-image-golden.py): the coordinate in double, the weights
 * rounded to float, each pixel's weight ly * lx a float product, the four
 * products summed in double and rounded once. Rows are converted to float
 * two at a time, so a large photo never exists as a float image.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clgooglenet.h"
#include "error.h"
#include "image.h"

#define KEY(name) "clgooglenet." name

/* ---- Metadata parsing ---------------------------------------------------- */

/* Parses one finite number that fills text[0..len) (surrounding spaces allowed). */
static int parse_double(const char *text, size_t len, double *v)
{
    char buf[64];
    while (len && isspace((unsigned char)*text)) text++, len--;
    while (len && isspace((unsigned char)text[len - 1])) len--;
    if (len == 0 || len >= sizeof buf) return 0;
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    *v = strtod(buf, &end);
    return *end == '\0' && errno == 0 && isfinite(*v);
}

static int parse_int(const char *text, size_t len, long max, int *v)
{
    double d;
    if (!parse_double(text, len, &d) || d != floor(d) || d < 1 || d > max) return 0;
    *v = (int)d;
    return 1;
}

/* "a" (every channel) or "a,b,c" (one per channel). */
static clg_status parse_list(const char *key, const char *text, int channels, float *out)
{
    double v[CLG_PREPROCESS_MAX_CHANNELS];
    int n = 0;
    for (const char *p = text;; n++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (n == CLG_PREPROCESS_MAX_CHANNELS || !parse_double(p, len, &v[n]))
            return clg_fail(CLG_ERR_PARSE, "metadata %s: '%s' is not one number or a list of %d",
                            key, text, channels);
        if (!comma) {
            n++;
            break;
        }
        p = comma + 1;
    }
    if (n != 1 && n != channels)
        return clg_fail(CLG_ERR_PARSE, "metadata %s: '%s' has %d values for %d channels", key,
                        text, n, channels);
    for (int c = 0; c < channels; c++) out[c] = (float)v[n == 1 ? 0 : c];
    return CLG_OK;
}

/* A "0"/"1" switch of which this runtime implements only "0". */
static clg_status parse_off_flag(const char *key, const char *text)
{
    if (!text || !strcmp(text, "0") || !strcasecmp(text, "false")) return CLG_OK;
    if (!strcmp(text, "1") || !strcasecmp(text, "true"))
        return clg_fail(CLG_ERR_UNSUPPORTED, "metadata %s=%s is not supported (only 0)", key, text);
    return clg_fail(CLG_ERR_PARSE, "metadata %s: '%s' is not 0 or 1", key, text);
}

/* Channels: the metadata, else the model input's dim 1; they must agree. */
static clg_status parse_channels(const clg_io_info *in, const char *text, int *channels)
{
    int c = (int)in->dims[1];
    if (text) {
        if (!parse_int(text, strlen(text), 1000000, &c))
            return clg_fail(CLG_ERR_PARSE, "metadata %s: '%s' is not a channel count",
                            KEY("input_channels"), text);
        if (in->dims[1] > 0 && in->dims[1] != c)
            return clg_fail(CLG_ERR_SHAPE, "metadata %s=%d but input '%s' has %lld channels",
                            KEY("input_channels"), c, in->name, (long long)in->dims[1]);
    } else if (c <= 0) {
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "input '%s' has no fixed channel count and the model has no %s metadata",
                        in->name, KEY("input_channels"));
    }
    if (c != 1 && c != 3)
        return clg_fail(CLG_ERR_UNSUPPORTED, "images feed 1 or 3 channels; input '%s' wants %d",
                        in->name, c);
    *channels = c;
    return CLG_OK;
}

/* Size: "HxW" from the metadata, else the model input's dims 2 and 3. */
static clg_status parse_size(const clg_io_info *in, const char *text, int *h, int *w)
{
    if (text) {
        const char *x = strpbrk(text, "xX");
        if (!x || !parse_int(text, (size_t)(x - text), CLG_IMAGE_MAX_SIDE, h) ||
            !parse_int(x + 1, strlen(x + 1), CLG_IMAGE_MAX_SIDE, w))
            return clg_fail(CLG_ERR_PARSE, "metadata %s: '%s' is not HEIGHTxWIDTH", KEY("resize"),
                            text);
        if ((in->dims[2] > 0 && in->dims[2] != *h) || (in->dims[3] > 0 && in->dims[3] != *w))
            return clg_fail(CLG_ERR_SHAPE, "metadata %s=%dx%d but input '%s' is %lldx%lld",
                            KEY("resize"), *h, *w, in->name, (long long)in->dims[2],
                            (long long)in->dims[3]);
        return CLG_OK;
    }
    if (in->dims[2] <= 0 || in->dims[3] <= 0 || in->dims[2] > CLG_IMAGE_MAX_SIDE ||
        in->dims[3] > CLG_IMAGE_MAX_SIDE)
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "input '%s' has no fixed height and width and the model has no %s "
                        "metadata",
                        in->name, KEY("resize"));
    *h = (int)in->dims[2];
    *w = (int)in->dims[3];
    return CLG_OK;
}

clg_status clg_preprocess_parse(const clg_io_info *in, clg_metadata_fn get, const void *ctx,
                                clg_preprocess *pp)
{
    if (!in || !get || !pp)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_preprocess_parse: NULL argument");
    if (in->rank != 4)
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "images feed a rank-4 NCHW input; input '%s' has rank %d", in->name,
                        in->rank);
    clg_preprocess p;
    memset(&p, 0, sizeof p);
    const char *layout = get(ctx, KEY("input_layout"));
    if (layout && strcmp(layout, "NCHW"))
        return clg_fail(CLG_ERR_UNSUPPORTED, "metadata %s=%s is not supported (only NCHW)",
                        KEY("input_layout"), layout);
    CLG_TRY(parse_channels(in, get(ctx, KEY("input_channels")), &p.channels));
    CLG_TRY(parse_size(in, get(ctx, KEY("resize")), &p.height, &p.width));
    const char *method = get(ctx, KEY("resize_method"));
    if (method && strcmp(method, "bilinear"))
        return clg_fail(CLG_ERR_UNSUPPORTED, "metadata %s=%s is not supported (only bilinear)",
                        KEY("resize_method"), method);
    CLG_TRY(parse_off_flag(KEY("resize_align_corners"), get(ctx, KEY("resize_align_corners"))));
    CLG_TRY(parse_off_flag(KEY("resize_antialias"), get(ctx, KEY("resize_antialias"))));

    const char *text = get(ctx, KEY("scale"));
    p.scale = 1.0 / 255.0;
    if (text && (!parse_double(text, strlen(text), &p.scale) || p.scale == 0))
        return clg_fail(CLG_ERR_PARSE, "metadata %s: '%s' is not a non-zero number", KEY("scale"),
                        text);
    for (int c = 0; c < CLG_PREPROCESS_MAX_CHANNELS; c++) p.std[c] = 1.0f;
    if ((text = get(ctx, KEY("mean")))) CLG_TRY(parse_list(KEY("mean"), text, p.channels, p.mean));
    if ((text = get(ctx, KEY("std")))) CLG_TRY(parse_list(KEY("std"), text, p.channels, p.std));
    for (int c = 0; c < p.channels; c++)
        if (p.std[c] == 0)
            return clg_fail(CLG_ERR_PARSE, "metadata %s: '%s' has a zero", KEY("std"), text);

    text = get(ctx, KEY("channel_order"));
    if (text && strcasecmp(text, "RGB") && strcasecmp(text, "BGR"))
        return clg_fail(CLG_ERR_PARSE, "metadata %s: '%s' is not RGB or BGR",
                        KEY("channel_order"), text);
    p.bgr = text && !strcasecmp(text, "BGR");
    *pp = p;
    return CLG_OK;
}

static const char *model_metadata(const void *model, const char *key)
{
    return clg_model_metadata(model, key);
}

clg_status clg_preprocess_from_model(const clg_model *model, clg_preprocess *pp)
{
    if (!model || !pp)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_preprocess_from_model: NULL argument");
    size_t n = clg_model_input_count(model);
    if (n != 1)
        return clg_fail(CLG_ERR_UNSUPPORTED, "images feed a model with one input; this one has %zu",
                        n);
    clg_io_info in;
    CLG_TRY(clg_model_input_info(model, 0, &in));
    return clg_preprocess_parse(&in, model_metadata, model, pp);
}

/* ---- Bilinear resize ------------------------------------------------------ */

/* One output index: two source indices and their weights. */
typedef struct tap {
    int i0, i1;
    float l0, l1;
} tap;

/* PyTorch's compute_source_index_and_lambda (float scale, double coordinate). */
static void compute_taps(int in, int out, tap *t)
{
    const float scale = (float)in / (float)out;
    for (int i = 0; i < out; i++) {
        if (in == out) {
            t[i] = (tap){i, i, 1.0f, 0.0f};
            continue;
        }
        double src = (double)scale * (i + 0.5) - 0.5;
        if (src < 0) src = 0;
        int i0 = (int)src;
        float l1 = (float)(src - i0);
        if (l1 > 1) l1 = 1;
        t[i] = (tap){i0, i0 < in - 1 ? i0 + 1 : i0, 1.0f - l1, l1};
    }
}

/* Fills row (in_w floats) with source row y. */
typedef void (*row_fn)(const void *ctx, int y, float *row);

typedef struct resizer {
    int in_h, in_w, out_h, out_w;
    tap *ty, *tx;
    float *rows; /* two source rows */
} resizer;

static void resizer_free(resizer *r)
{
    free(r->ty);
    free(r->tx);
    free(r->rows);
}

static clg_status resizer_init(resizer *r, int in_h, int in_w, int out_h, int out_w)
{
    r->in_h = in_h, r->in_w = in_w, r->out_h = out_h, r->out_w = out_w;
    r->ty = malloc((size_t)out_h * sizeof *r->ty);
    r->tx = malloc((size_t)out_w * sizeof *r->tx);
    r->rows = malloc(2 * (size_t)in_w * sizeof *r->rows);
    if (!r->ty || !r->tx || !r->rows) {
        resizer_free(r);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "resize: out of memory");
    }
    compute_taps(in_h, out_h, r->ty);
    compute_taps(in_w, out_w, r->tx);
    return CLG_OK;
}

/* Each output pixel: four float weights, the weighted sum in double. */
static void resize_plane(resizer *r, row_fn fetch, const void *ctx, float *dst)
{
    float *r0 = r->rows, *r1 = r->rows + r->in_w;
    for (int oy = 0; oy < r->out_h; oy++) {
        const tap ty = r->ty[oy];
        fetch(ctx, ty.i0, r0);
        fetch(ctx, ty.i1, r1);
        float *out = dst + (size_t)oy * r->out_w;
        for (int ox = 0; ox < r->out_w; ox++) {
            const tap tx = r->tx[ox];
            const float w00 = ty.l0 * tx.l0, w01 = ty.l0 * tx.l1;
            const float w10 = ty.l1 * tx.l0, w11 = ty.l1 * tx.l1;
            double sum = (double)r0[tx.i0] * w00 + (double)r0[tx.i1] * w01 +
                         (double)r1[tx.i0] * w10 + (double)r1[tx.i1] * w11;
            out[ox] = (float)sum;
        }
    }
}

typedef struct plane_src {
    const float *data;
    int w;
} plane_src;

static void plane_row(const void *ctx, int y, float *row)
{
    const plane_src *s = ctx;
    memcpy(row, s->data + (size_t)y * s->w, (size_t)s->w * sizeof *row);
}

clg_status clg_resize_bilinear(const float *src, int in_h, int in_w, float *dst, int out_h,
                               int out_w)
{
    if (!src || !dst || in_h < 1 || in_w < 1 || out_h < 1 || out_w < 1)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_resize_bilinear: bad arguments");
    resizer r;
    CLG_TRY(resizer_init(&r, in_h, in_w, out_h, out_w));
    plane_src s = {src, in_w};
    resize_plane(&r, plane_row, &s, dst);
    resizer_free(&r);
    return CLG_OK;
}

/* ---- Images to tensors ----------------------------------------------------- */

/* One channel of an 8-bit image, converted and scaled on the fly. */
typedef struct image_src {
    const clg_image *img;
    int channel;    /* which image channel, or -1 for the luma of RGB */
    double scale;
} image_src;

static void image_row(const void *ctx, int y, float *row)
{
    const image_src *s = ctx;
    const int ic = s->img->channels;
    const unsigned char *p = s->img->pixels + (size_t)y * (size_t)s->img->width * (size_t)ic;
    for (int x = 0; x < s->img->width; x++, p += ic) {
        unsigned v = s->channel < 0 ? clg_rgb_to_gray(p[0], p[1], p[2]) : p[s->channel];
        /* In double, then rounded once: the same float as PyTorch's x / 255. */
        row[x] = (float)(v * s->scale);
    }
}

static clg_status check_preprocess(const clg_preprocess *pp)
{
    if (pp->channels != 1 && pp->channels != 3)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess: channels must be 1 or 3, not %d",
                        pp->channels);
    if (pp->height < 1 || pp->width < 1 || pp->height > CLG_IMAGE_MAX_SIDE ||
        pp->width > CLG_IMAGE_MAX_SIDE)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess: bad size %dx%d", pp->height,
                        pp->width);
    for (int c = 0; c < pp->channels; c++)
        if (pp->std[c] == 0 || !isfinite(pp->std[c]) || !isfinite(pp->mean[c]))
            return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess: bad mean/std for channel %d",
                            c);
    return CLG_OK;
}

/* Writes one image as channels x height x width floats at dst. */
static clg_status preprocess_one(const clg_preprocess *pp, const clg_image *img, float *dst)
{
    if (!img || !img->pixels || img->width < 1 || img->height < 1 ||
        (img->channels != 1 && img->channels != 3))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess: not a valid 1- or 3-channel image");
    resizer r;
    CLG_TRY(resizer_init(&r, img->height, img->width, pp->height, pp->width));
    size_t plane = (size_t)pp->height * pp->width;
    for (int c = 0; c < pp->channels; c++) {
        image_src s = {img, 0, pp->scale};
        if (pp->channels == 1) s.channel = img->channels == 3 ? -1 : 0;
        else if (img->channels == 3) s.channel = pp->bgr ? 2 - c : c;
        float *out = dst + c * plane;
        resize_plane(&r, image_row, &s, out);
        const float mean = pp->mean[c], std = pp->std[c];
        for (size_t i = 0; i < plane; i++) out[i] = (out[i] - mean) / std;
    }
    resizer_free(&r);
    return CLG_OK;
}

static clg_status new_batch(const clg_preprocess *pp, size_t count, clg_tensor **out)
{
    if (!pp || !out) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess: NULL argument");
    if (count == 0 || count > INT64_MAX)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess: no images");
    CLG_TRY(check_preprocess(pp));
    int64_t dims[4] = {(int64_t)count, pp->channels, pp->height, pp->width};
    return clg_tensor_create(4, dims, out);
}

clg_status clg_preprocess_images(const clg_preprocess *pp, const clg_image *const *images,
                                 size_t count, clg_tensor **out)
{
    if (!images) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_preprocess_images: NULL images");
    clg_tensor *t;
    CLG_TRY(new_batch(pp, count, &t));
    size_t item = clg_tensor_element_count(t) / count;
    for (size_t i = 0; i < count; i++) {
        clg_status st = preprocess_one(pp, images[i], t->data + i * item);
        if (st != CLG_OK) {
            clg_tensor_destroy(t);
            return clg_fail_context(st, "image %zu", i);
        }
    }
    *out = t;
    return CLG_OK;
}

clg_status clg_preprocess_files(const clg_preprocess *pp, const char *const *paths, size_t count,
                                clg_tensor **out)
{
    if (!paths) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_preprocess_files: NULL paths");
    clg_tensor *t;
    CLG_TRY(new_batch(pp, count, &t));
    size_t item = clg_tensor_element_count(t) / count;
    for (size_t i = 0; i < count; i++) {
        clg_image *img = NULL;
        clg_status st = clg_image_load(paths[i], &img);
        if (st == CLG_OK) {
            st = preprocess_one(pp, img, t->data + i * item);
            if (st != CLG_OK) clg_fail_context(st, "%s", paths[i]);
        }
        clg_image_destroy(img);
        if (st != CLG_OK) {
            clg_tensor_destroy(t);
            return st;
        }
    }
    *out = t;
    return CLG_OK;
}

/* ---- Class names ------------------------------------------------------------ */

clg_status clg_model_class_names(const clg_model *model, char ***names, size_t *count)
{
    if (!model || !names || !count)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_class_names: NULL argument");
    *names = NULL;
    *count = 0;
    const char *list = clg_model_metadata(model, KEY("classes"));
    if (!list) return CLG_OK;
    size_t n = 1, len = strlen(list);
    for (const char *p = list; *p; p++) n += *p == ',';
    /* The pointer array and a copy of the text share one allocation. */
    char **block = malloc(n * sizeof *block + len + 1);
    if (!block) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "class names: out of memory");
    char *text = (char *)(block + n);
    memcpy(text, list, len + 1);
    for (size_t i = 0; i < n; i++) {
        char *end = strchr(text, ',');
        if (end) *end = '\0';
        else end = text + strlen(text);
        char *name = text;
        while (isspace((unsigned char)*name)) name++;
        for (char *e = end; e > name && isspace((unsigned char)e[-1]);) *--e = '\0';
        block[i] = name;
        text = end + 1;
    }
    *names = block;
    *count = n;
    return CLG_OK;
}
