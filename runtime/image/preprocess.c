/*
 * Image preprocessing: what the model's metadata says (or the documented
 * defaults, or the caller's overrides) turned into an NCHW float32 batch. The
 * order is the training pipeline's: channel conversion, scale, bilinear
 * resize, then (x - mean) / std. The resize either goes straight to the
 * input's size, or, as torchvision's Resize(s) + CenterCrop on tensors,
 * brings the shorter side to s and keeps the centre; only the kept part of
 * that resize is computed, with the same taps as the whole one would use.
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
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clgooglenet.h"
#include "error.h"
#include "image.h"

#define KEY(name) "clgooglenet." name

/* ---- Metadata parsing ---------------------------------------------------- */

/* The keys, in the order they are read; an override must name one of them. */
enum {
    K_LAYOUT, K_CHANNELS, K_RESIZE, K_SHORTER, K_CROP, K_METHOD,
    K_ALIGN, K_ANTIALIAS, K_SCALE, K_MEAN, K_STD, K_ORDER, N_KEYS
};
static const char *const key_names[N_KEYS] = {
    [K_LAYOUT] = KEY("input_layout"),
    [K_CHANNELS] = KEY("input_channels"),
    [K_RESIZE] = KEY("resize"),
    [K_SHORTER] = KEY("resize_shorter"),
    [K_CROP] = KEY("center_crop"),
    [K_METHOD] = KEY("resize_method"),
    [K_ALIGN] = KEY("resize_align_corners"),
    [K_ANTIALIAS] = KEY("resize_antialias"),
    [K_SCALE] = KEY("scale"),
    [K_MEAN] = KEY("mean"),
    [K_STD] = KEY("std"),
    [K_ORDER] = KEY("channel_order"),
};

static int key_index(const char *key)
{
    for (int k = 0; k < N_KEYS; k++)
        if (key && !strcmp(key, key_names[k])) return k;
    return -1;
}

/* One setting: its text (NULL when absent) and what error messages call it,
   "metadata clgooglenet.mean" or an override's own name such as "--mean". */
typedef struct setting {
    const char *text;
    char name[96];
} setting;

/* Settings as parsed, before they are checked against the model's input. */
typedef struct values {
    int channels, resize_h, resize_w, shorter, crop_h, crop_w, bgr;
    double scale;
    int n_mean, n_std;
    double mean[CLG_PREPROCESS_MAX_CHANNELS], std[CLG_PREPROCESS_MAX_CHANNELS];
} values;

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

/* "HxW", or with square_ok also "N" meaning NxN. */
static int parse_hw(const char *text, int square_ok, int *h, int *w)
{
    const char *x = strpbrk(text, "xX");
    if (!x) {
        if (!square_ok || !parse_int(text, strlen(text), CLG_IMAGE_MAX_SIDE, h)) return 0;
        *w = *h;
        return 1;
    }
    return parse_int(text, (size_t)(x - text), CLG_IMAGE_MAX_SIDE, h) &&
           parse_int(x + 1, strlen(x + 1), CLG_IMAGE_MAX_SIDE, w);
}

/* "a" (every channel) or "a,b,c" (one per channel); the count is checked later. */
static clg_status parse_list(const setting *s, double *v, int *count)
{
    int n = 0;
    for (const char *p = s->text;; n++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (n == CLG_PREPROCESS_MAX_CHANNELS || !parse_double(p, len, &v[n]))
            return clg_fail(CLG_ERR_PARSE, "%s: '%s' is not one number or a list of up to %d",
                            s->name, s->text, CLG_PREPROCESS_MAX_CHANNELS);
        if (!comma) break;
        p = comma + 1;
    }
    *count = n + 1;
    return CLG_OK;
}

/* A "0"/"1" switch of which this runtime implements only "0". */
static clg_status parse_off_flag(const setting *s)
{
    const char *t = s->text;
    if (!strcmp(t, "0") || !strcasecmp(t, "false")) return CLG_OK;
    if (!strcmp(t, "1") || !strcasecmp(t, "true"))
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s=%s is not supported (only 0)", s->name, t);
    return clg_fail(CLG_ERR_PARSE, "%s: '%s' is not 0 or 1", s->name, t);
}

/* What a value says on its own, without the model's input. */
static clg_status parse_setting(int k, const setting *s, values *v)
{
    const char *t = s->text;
    if (!t) return CLG_OK;
    switch (k) {
    case K_LAYOUT:
        if (strcmp(t, "NCHW"))
            return clg_fail(CLG_ERR_UNSUPPORTED, "%s=%s is not supported (only NCHW)", s->name, t);
        return CLG_OK;
    case K_CHANNELS:
        if (!parse_int(t, strlen(t), 1000000, &v->channels))
            return clg_fail(CLG_ERR_PARSE, "%s: '%s' is not a channel count", s->name, t);
        return CLG_OK;
    case K_RESIZE:
        if (!parse_hw(t, 0, &v->resize_h, &v->resize_w))
            return clg_fail(CLG_ERR_PARSE, "%s: '%s' is not HEIGHTxWIDTH", s->name, t);
        return CLG_OK;
    case K_SHORTER:
        if (!parse_int(t, strlen(t), CLG_IMAGE_MAX_SIDE, &v->shorter))
            return clg_fail(CLG_ERR_PARSE, "%s: '%s' is not a side length from 1 to %d", s->name,
                            t, CLG_IMAGE_MAX_SIDE);
        return CLG_OK;
    case K_CROP:
        if (!parse_hw(t, 1, &v->crop_h, &v->crop_w))
            return clg_fail(CLG_ERR_PARSE, "%s: '%s' is not SIZE or HEIGHTxWIDTH", s->name, t);
        return CLG_OK;
    case K_METHOD:
        if (strcmp(t, "bilinear"))
            return clg_fail(CLG_ERR_UNSUPPORTED, "%s=%s is not supported (only bilinear)", s->name,
                            t);
        return CLG_OK;
    case K_ALIGN:
    case K_ANTIALIAS: return parse_off_flag(s);
    case K_SCALE:
        if (!parse_double(t, strlen(t), &v->scale) || v->scale == 0)
            return clg_fail(CLG_ERR_PARSE, "%s: '%s' is not a non-zero number", s->name, t);
        return CLG_OK;
    case K_MEAN: return parse_list(s, v->mean, &v->n_mean);
    case K_STD:
        CLG_TRY(parse_list(s, v->std, &v->n_std));
        for (int c = 0; c < v->n_std; c++)
            if (v->std[c] == 0) return clg_fail(CLG_ERR_PARSE, "%s: '%s' has a zero", s->name, t);
        return CLG_OK;
    case K_ORDER:
        if (strcasecmp(t, "RGB") && strcasecmp(t, "BGR"))
            return clg_fail(CLG_ERR_PARSE, "%s: '%s' is not RGB or BGR", s->name, t);
        v->bgr = !strcasecmp(t, "BGR");
        return CLG_OK;
    }
    return CLG_OK;
}

static clg_status check_override_key(const clg_preprocess_override *o, int *k)
{
    if (!o || !o->value)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess override: NULL key or value");
    if ((*k = key_index(o->key)) < 0)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess override: unknown key '%s'",
                        o->key ? o->key : "(null)");
    return CLG_OK;
}

static void override_setting(const clg_preprocess_override *o, setting *s)
{
    s->text = o->value;
    snprintf(s->name, sizeof s->name, "%s", o->name ? o->name : o->key);
}

clg_status clg_preprocess_check_override(const clg_preprocess_override *override)
{
    int k;
    CLG_TRY(check_override_key(override, &k));
    setting s;
    override_setting(override, &s);
    values v;
    memset(&v, 0, sizeof v);
    return parse_setting(k, &s, &v);
}

/* Where settings come from: the caller's overrides first, then the metadata. */
typedef struct source {
    clg_metadata_fn get;
    const void *ctx;
    const clg_preprocess_override *overrides;
    size_t count;
} source;

/* The last override of key k, or NULL. */
static const clg_preprocess_override *find_override(const source *src, int k)
{
    const clg_preprocess_override *found = NULL;
    for (size_t i = 0; i < src->count; i++)
        if (!strcmp(src->overrides[i].key, key_names[k])) found = &src->overrides[i];
    return found;
}

static setting lookup(const source *src, int k)
{
    setting s = {NULL, ""};
    const clg_preprocess_override *o = find_override(src, k);
    if (o) {
        override_setting(o, &s);
        return s;
    }
    /* An overriding resize mode replaces the model's: resize_shorter drops its
       resize, resize drops its resize_shorter and center_crop. */
    if (k == K_RESIZE ? find_override(src, K_SHORTER) != NULL
                      : (k == K_SHORTER || k == K_CROP) && find_override(src, K_RESIZE))
        return s;
    s.text = src->get(src->ctx, key_names[k]);
    snprintf(s.name, sizeof s.name, "metadata %s", key_names[k]);
    return s;
}

/* Channels: the settings, else the model input's dim 1; they must agree. */
static clg_status check_channels(const clg_io_info *in, const setting *s, const values *v,
                                 int *channels)
{
    int64_t c = in->dims[1];
    if (s->text) {
        c = v->channels;
        if (in->dims[1] > 0 && in->dims[1] != c)
            return clg_fail(CLG_ERR_SHAPE, "%s=%lld but input '%s' has %lld channels", s->name,
                            (long long)c, in->name, (long long)in->dims[1]);
    } else if (c <= 0) {
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "input '%s' has no fixed channel count and the model has no %s metadata",
                        in->name, key_names[K_CHANNELS]);
    }
    if (c != 1 && c != 3)
        return clg_fail(CLG_ERR_UNSUPPORTED, "images feed 1 or 3 channels; input '%s' wants %lld",
                        in->name, (long long)c);
    *channels = (int)c;
    return CLG_OK;
}

static int input_differs(const clg_io_info *in, int h, int w)
{
    return (in->dims[2] > 0 && in->dims[2] != h) || (in->dims[3] > 0 && in->dims[3] != w);
}

/* The input's fixed height and width, when it has them. */
static int input_size(const clg_io_info *in, int *h, int *w)
{
    if (in->dims[2] <= 0 || in->dims[3] <= 0 || in->dims[2] > CLG_IMAGE_MAX_SIDE ||
        in->dims[3] > CLG_IMAGE_MAX_SIDE)
        return 0;
    *h = (int)in->dims[2];
    *w = (int)in->dims[3];
    return 1;
}

/*
 * The output size and resize mode. Either resize straight to "HxW" (default:
 * the input's dims 2 and 3), or resize the shorter side and center crop to
 * the input's size (which center_crop, when given, must equal).
 */
static clg_status check_size(const clg_io_info *in, const setting *s, const values *v,
                             clg_preprocess *p)
{
    const setting *resize = &s[K_RESIZE], *shorter = &s[K_SHORTER], *crop = &s[K_CROP];
    if (resize->text && shorter->text)
        return clg_fail(CLG_ERR_PARSE, "%s and %s exclude each other (give one resize)",
                        resize->name, shorter->name);
    if (crop->text && !shorter->text)
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "%s=%s: a center crop follows a resize of the shorter side, and there "
                        "is no %s",
                        crop->name, crop->text, key_names[K_SHORTER]);
    if (!shorter->text) {
        if (resize->text) {
            if (input_differs(in, v->resize_h, v->resize_w))
                return clg_fail(CLG_ERR_SHAPE, "%s=%dx%d but input '%s' is %lldx%lld",
                                resize->name, v->resize_h, v->resize_w, in->name,
                                (long long)in->dims[2], (long long)in->dims[3]);
            p->height = v->resize_h;
            p->width = v->resize_w;
        } else if (!input_size(in, &p->height, &p->width)) {
            return clg_fail(CLG_ERR_UNSUPPORTED,
                            "input '%s' has no fixed height and width and the model has no %s "
                            "metadata",
                            in->name, key_names[K_RESIZE]);
        }
        return CLG_OK;
    }
    if (crop->text) {
        if (input_differs(in, v->crop_h, v->crop_w))
            return clg_fail(CLG_ERR_SHAPE, "%s: a %dx%d center crop but input '%s' is %lldx%lld",
                            crop->name, v->crop_h, v->crop_w, in->name, (long long)in->dims[2],
                            (long long)in->dims[3]);
        p->height = v->crop_h;
        p->width = v->crop_w;
    } else if (!input_size(in, &p->height, &p->width)) {
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "input '%s' has no fixed height and width and there is no %s",
                        in->name, key_names[K_CROP]);
    }
    /* The resized shorter side is `shorter`: a crop longer on both sides never fits. */
    if (p->height > v->shorter && p->width > v->shorter)
        return clg_fail(CLG_ERR_SHAPE,
                        "%s: a %dx%d center crop does not fit in an image whose shorter side "
                        "is resized to %d",
                        crop->text ? crop->name : shorter->name, p->height, p->width, v->shorter);
    p->resize_shorter = v->shorter;
    return CLG_OK;
}

/* mean / std: one value for every channel, or one per channel. */
static clg_status check_list(const setting *s, int n, const double *v, int channels, float *out)
{
    if (n != 1 && n != channels)
        return clg_fail(CLG_ERR_PARSE, "%s: '%s' has %d values for %d channels", s->name, s->text,
                        n, channels);
    for (int c = 0; c < channels; c++) out[c] = (float)v[n == 1 ? 0 : c];
    return CLG_OK;
}

static clg_status parse(const clg_io_info *in, const source *src, clg_preprocess *pp)
{
    if (in->rank != 4)
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "images feed a rank-4 NCHW input; input '%s' has rank %d", in->name,
                        in->rank);
    for (size_t i = 0; i < src->count; i++) {
        int k;
        CLG_TRY(check_override_key(&src->overrides[i], &k));
    }
    setting s[N_KEYS];
    values v;
    memset(&v, 0, sizeof v);
    for (int k = 0; k < N_KEYS; k++) {
        s[k] = lookup(src, k);
        CLG_TRY(parse_setting(k, &s[k], &v));
    }
    clg_preprocess p;
    memset(&p, 0, sizeof p);
    CLG_TRY(check_channels(in, &s[K_CHANNELS], &v, &p.channels));
    CLG_TRY(check_size(in, s, &v, &p));
    p.scale = s[K_SCALE].text ? v.scale : 1.0 / 255.0;
    for (int c = 0; c < CLG_PREPROCESS_MAX_CHANNELS; c++) p.std[c] = 1.0f;
    if (s[K_MEAN].text) CLG_TRY(check_list(&s[K_MEAN], v.n_mean, v.mean, p.channels, p.mean));
    if (s[K_STD].text) CLG_TRY(check_list(&s[K_STD], v.n_std, v.std, p.channels, p.std));
    p.bgr = v.bgr;
    *pp = p;
    return CLG_OK;
}

clg_status clg_preprocess_parse(const clg_io_info *in, clg_metadata_fn get, const void *ctx,
                                clg_preprocess *pp)
{
    if (!in || !get || !pp)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_preprocess_parse: NULL argument");
    source src = {get, ctx, NULL, 0};
    return parse(in, &src, pp);
}

static const char *model_metadata(const void *model, const char *key)
{
    return clg_model_metadata(model, key);
}

clg_status clg_preprocess_from_model_with(const clg_model *model,
                                          const clg_preprocess_override *overrides, size_t count,
                                          clg_preprocess *pp)
{
    if (!model || !pp || (count && !overrides))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_preprocess_from_model: NULL argument");
    size_t n = clg_model_input_count(model);
    if (n != 1)
        return clg_fail(CLG_ERR_UNSUPPORTED, "images feed a model with one input; this one has %zu",
                        n);
    clg_io_info in;
    CLG_TRY(clg_model_input_info(model, 0, &in));
    source src = {model_metadata, model, overrides, count};
    return parse(&in, &src, pp);
}

clg_status clg_preprocess_from_model(const clg_model *model, clg_preprocess *pp)
{
    return clg_preprocess_from_model_with(model, NULL, 0, pp);
}

/* ---- Bilinear resize ------------------------------------------------------ */

/* One output index: two source indices and their weights. */
typedef struct tap {
    int i0, i1;
    float l0, l1;
} tap;

/* PyTorch's compute_source_index_and_lambda (float scale, double coordinate)
   for output indices first .. first + count - 1 of a resize from in to out. */
static void compute_taps(int in, int out, int first, int count, tap *t)
{
    const float scale = (float)in / (float)out;
    for (int k = 0; k < count; k++) {
        const int i = first + k;
        if (in == out) {
            t[k] = (tap){i, i, 1.0f, 0.0f};
            continue;
        }
        double src = (double)scale * (i + 0.5) - 0.5;
        if (src < 0) src = 0;
        int i0 = (int)src;
        float l1 = (float)(src - i0);
        if (l1 > 1) l1 = 1;
        t[k] = (tap){i0, i0 < in - 1 ? i0 + 1 : i0, 1.0f - l1, l1};
    }
}

/* The part of a resize to full_h x full_w that is kept: h x w from (top, left).
   Only that part is computed, so a long resized side costs nothing. */
typedef struct region {
    int full_h, full_w, top, left, h, w;
} region;

/* Fills row (in_w floats) with source row y. */
typedef void (*row_fn)(const void *ctx, int y, float *row);

typedef struct resizer {
    int in_h, in_w, out_h, out_w; /* out: the kept region */
    tap *ty, *tx;
    float *rows; /* two source rows */
} resizer;

static void resizer_free(resizer *r)
{
    free(r->ty);
    free(r->tx);
    free(r->rows);
}

static clg_status resizer_init(resizer *r, int in_h, int in_w, const region *g)
{
    r->in_h = in_h, r->in_w = in_w, r->out_h = g->h, r->out_w = g->w;
    r->ty = malloc((size_t)g->h * sizeof *r->ty);
    r->tx = malloc((size_t)g->w * sizeof *r->tx);
    r->rows = malloc(2 * (size_t)in_w * sizeof *r->rows);
    if (!r->ty || !r->tx || !r->rows) {
        resizer_free(r);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "resize: out of memory");
    }
    compute_taps(in_h, g->full_h, g->top, g->h, r->ty);
    compute_taps(in_w, g->full_w, g->left, g->w, r->tx);
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
    const region g = {out_h, out_w, 0, 0, out_h, out_w};
    CLG_TRY(resizer_init(&r, in_h, in_w, &g));
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
    if (pp->resize_shorter < 0 || pp->resize_shorter > CLG_IMAGE_MAX_SIDE)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess: bad resize_shorter %d",
                        pp->resize_shorter);
    for (int c = 0; c < pp->channels; c++)
        if (pp->std[c] == 0 || !isfinite(pp->std[c]) || !isfinite(pp->mean[c]))
            return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess: bad mean/std for channel %d",
                            c);
    return CLG_OK;
}

/*
 * torchvision's Resize(s) size rule (_compute_resized_output_size): the
 * shorter side becomes s, the longer int(s * long / short), computed in
 * double as Python does (the product is exact, the quotient rounded once).
 */
static int shorter_side_size(int h, int w, int s, int *out_h, int *out_w)
{
    const int shorter = w <= h ? w : h, longer = w <= h ? h : w;
    const double resized = (double)s * longer / shorter;
    if (resized >= INT_MAX) return 0;
    *out_h = w <= h ? (int)resized : s;
    *out_w = w <= h ? s : (int)resized;
    return 1;
}

/* torchvision's center_crop offset int(round((size - crop) / 2.0)): Python
   rounds a half to the even neighbour, so 10.5 gives 10 and 11.5 gives 12. */
static int center_offset(int size, int crop)
{
    const int d = size - crop, half = d / 2;
    return d % 2 && half % 2 ? half + 1 : half;
}

/* Which part of which resize one image gets. */
static clg_status image_region(const clg_preprocess *pp, const clg_image *img, region *g)
{
    *g = (region){pp->height, pp->width, 0, 0, pp->height, pp->width};
    if (pp->resize_shorter == 0) return CLG_OK;
    if (!shorter_side_size(img->height, img->width, pp->resize_shorter, &g->full_h, &g->full_w))
        return clg_fail(CLG_ERR_UNSUPPORTED, "preprocess: a %dx%d image is too elongated",
                        img->height, img->width);
    if (g->full_h < pp->height || g->full_w < pp->width)
        return clg_fail(CLG_ERR_SHAPE,
                        "preprocess: a %dx%d image resized to %dx%d (shorter side %d) is smaller "
                        "than the %dx%d center crop",
                        img->height, img->width, g->full_h, g->full_w, pp->resize_shorter,
                        pp->height, pp->width);
    g->top = center_offset(g->full_h, pp->height);
    g->left = center_offset(g->full_w, pp->width);
    return CLG_OK;
}

/* Writes one image as channels x height x width floats at dst. */
static clg_status preprocess_one(const clg_preprocess *pp, const clg_image *img, float *dst)
{
    if (!img || !img->pixels || img->width < 1 || img->height < 1 ||
        (img->channels != 1 && img->channels != 3))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "preprocess: not a valid 1- or 3-channel image");
    region g;
    CLG_TRY(image_region(pp, img, &g));
    resizer r;
    CLG_TRY(resizer_init(&r, img->height, img->width, &g));
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
