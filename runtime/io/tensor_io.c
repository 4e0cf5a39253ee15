/*
 * Host tensors and their files: NumPy .npy (read and write) and ONNX
 * TensorProto .pb (read). Every size read from a file is checked against the
 * file's real size before anything is allocated from it, so a hostile header
 * cannot make us allocate gigabytes or read past a buffer.
 */
#include "tensor_io.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "file_read.h"
#include "graph.h"
#include "half.h"
#include "safe_write.h"

/* numpy itself refuses headers over 10000 bytes by default; be a bit more lenient. */
#define NPY_MAX_HEADER (1u << 20)
/* The largest .npy a host tensor can come from: refused from its size, before reading. */
#define NPY_MAX_FILE ((uint64_t)CLG_TENSOR_MAX_ELEMENTS * sizeof(float) + 12 + NPY_MAX_HEADER)
static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* ---- Small helpers ----------------------------------------------------- */

/* Python tuple syntax, as numpy writes shapes: "()", "(3,)", "(2, 3)". */
static void format_shape(char *buf, size_t cap, int rank, const int64_t *dims)
{
    size_t n = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < rank && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? ", " : "", (long long)dims[i]);
    if (n < cap) snprintf(buf + n, cap - n, rank == 1 ? ",)" : ")");
}

/* Files store little-endian floats; swap in place only on a big-endian host. */
static void floats_le_to_host(float *v, size_t n)
{
    const uint32_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    if (first == 1) return;
    unsigned char *p = (unsigned char *)v;
    for (size_t i = 0; i < n; i++, p += 4) {
        unsigned char t = p[0];
        p[0] = p[3];
        p[3] = t;
        t = p[1];
        p[1] = p[2];
        p[2] = t;
    }
}

/* The swap is its own inverse. */
#define floats_host_to_le floats_le_to_host

static clg_status read_exact(FILE *f, const char *path, void *buf, size_t n)
{
    if (n == 0 || fread(buf, 1, n, f) == n) return CLG_OK;
    if (ferror(f)) return clg_fail(CLG_ERR_IO, "%s: read error: %s", path, strerror(errno));
    /* The size came from fstat, so a short read means the file changed under us. */
    return clg_fail(CLG_ERR_IO, "%s: short read (file changed while reading?)", path);
}

clg_status clg_read_file(const char *path, unsigned char **data, size_t *size)
{
    return clg_read_file_limit(path, "file", CLG_PROTOBUF_MAX_BYTES, data, size);
}

/* ---- Tensors ----------------------------------------------------------- */

clg_status clg_tensor_create(int rank, const int64_t *dims, clg_tensor **out)
{
    if (!out) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_tensor_create: out is NULL");
    *out = NULL;
    if (rank < 0 || rank > CLG_MAX_RANK)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_tensor_create: rank %d is outside 0..%d",
                        rank, CLG_MAX_RANK);
    if (rank > 0 && !dims)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_tensor_create: dims is NULL");
    size_t count;
    if (!clg_dims_count(rank, dims, &count)) {
        char shape[256];
        format_shape(shape, sizeof shape, rank, dims);
        return clg_fail(CLG_ERR_INVALID_ARGUMENT,
                        "clg_tensor_create: shape %s has a negative dimension or is too large",
                        shape);
    }
    if (count > CLG_TENSOR_MAX_ELEMENTS) {
        char shape[256];
        format_shape(shape, sizeof shape, rank, dims);
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "a tensor of shape %s has %zu elements, more than a host tensor may hold "
                        "(%zu, 1 GiB of float32)", shape, count, (size_t)CLG_TENSOR_MAX_ELEMENTS);
    }
    clg_tensor *t = calloc(1, sizeof *t);
    /* At least one float, so data is never NULL even for empty tensors. */
    float *data = calloc(count ? count : 1, sizeof(float));
    if (!t || !data) {
        free(t);
        free(data);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "clg_tensor_create: out of memory for %zu floats",
                        count);
    }
    t->rank = rank;
    for (int i = 0; i < rank; i++) t->dims[i] = dims[i];
    t->data = data;
    *out = t;
    return CLG_OK;
}

void clg_tensor_destroy(clg_tensor *t)
{
    if (!t) return;
    free(t->data);
    free(t);
}

size_t clg_tensor_element_count(const clg_tensor *t)
{
    size_t n;
    if (!t || !clg_dims_count(t->rank, t->dims, &n)) return 0;
    return n;
}

/* ---- .npy header: a Python dict literal -------------------------------- */

typedef struct npy_parser {
    const char *path;
    const char *text; /* the whole header, for messages */
    const char *p, *end;
} npy_parser;

static void skip_ws(npy_parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int accept(npy_parser *ps, char c)
{
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == c) {
        ps->p++;
        return 1;
    }
    return 0;
}

static clg_status expected(const npy_parser *ps, const char *what)
{
    return clg_fail(CLG_ERR_PARSE, "%s: malformed .npy header: expected %s at offset %d in \"%.*s\"",
                    ps->path, what, (int)(ps->p - ps->text),
                    (int)(ps->end - ps->text > 200 ? 200 : ps->end - ps->text), ps->text);
}

/* A quoted Python string. Keys and dtype strings never need escapes. */
static int parse_string(npy_parser *ps, char *out, size_t cap)
{
    skip_ws(ps);
    if (ps->p >= ps->end || (*ps->p != '\'' && *ps->p != '"')) return 0;
    char quote = *ps->p++;
    size_t n = 0;
    while (ps->p < ps->end && *ps->p != quote) {
        if (n + 1 >= cap) return 0;
        out[n++] = *ps->p++;
    }
    if (ps->p >= ps->end) return 0;
    ps->p++;
    out[n] = '\0';
    return 1;
}

static int parse_bool(npy_parser *ps, int *value)
{
    skip_ws(ps);
    size_t left = (size_t)(ps->end - ps->p);
    if (left >= 4 && memcmp(ps->p, "True", 4) == 0) {
        ps->p += 4;
        *value = 1;
        return 1;
    }
    if (left >= 5 && memcmp(ps->p, "False", 5) == 0) {
        ps->p += 5;
        *value = 0;
        return 1;
    }
    return 0;
}

/* "()", "(3,)", "(2, 3)"; Python 2 numpy wrote longs as "3L". */
static clg_status parse_shape(npy_parser *ps, int *rank, int64_t *dims)
{
    if (!accept(ps, '(')) return expected(ps, "'(' starting the shape tuple");
    int r = 0;
    while (!accept(ps, ')')) {
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == '-')
            return clg_fail(CLG_ERR_PARSE, "%s: negative dimension in .npy shape", ps->path);
        if (ps->p >= ps->end || !isdigit((unsigned char)*ps->p))
            return expected(ps, "a dimension");
        int64_t v = 0;
        while (ps->p < ps->end && isdigit((unsigned char)*ps->p)) {
            int digit = *ps->p++ - '0';
            if (v > (INT64_MAX - digit) / 10)
                return clg_fail(CLG_ERR_PARSE, "%s: dimension too large in .npy shape",
                                ps->path);
            v = v * 10 + digit;
        }
        if (ps->p < ps->end && *ps->p == 'L') ps->p++;
        if (r == CLG_MAX_RANK)
            return clg_fail(CLG_ERR_UNSUPPORTED,
                            "%s: .npy array has more than %d dimensions", ps->path,
                            CLG_MAX_RANK);
        dims[r++] = v;
        if (accept(ps, ',')) continue;
        if (!accept(ps, ')')) return expected(ps, "',' or ')' in the shape tuple");
        break;
    }
    *rank = r;
    return CLG_OK;
}

/* *elem_size: 4 for '<f4', 2 for '<f2' (converted to float32 when read). */
static clg_status npy_parse_header(const char *path, const char *text, size_t len, int *rank,
                                   int64_t *dims, size_t *elem_size)
{
    npy_parser ps = {path, text, text, text + len};
    int have_descr = 0, have_order = 0, have_shape = 0, fortran = 0;
    char descr[64], key[32];

    if (!accept(&ps, '{')) return expected(&ps, "'{'");
    while (!accept(&ps, '}')) {
        if (!parse_string(&ps, key, sizeof key)) return expected(&ps, "a quoted key");
        if (!accept(&ps, ':')) return expected(&ps, "':'");
        if (strcmp(key, "descr") == 0) {
            skip_ws(&ps);
            if (ps.p < ps.end && *ps.p == '[')
                return clg_fail(CLG_ERR_UNSUPPORTED,
                                "%s: structured .npy dtypes are not supported; save a plain "
                                "float32 array (arr.astype(np.float32))", path);
            if (!parse_string(&ps, descr, sizeof descr)) return expected(&ps, "a dtype string");
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (!parse_bool(&ps, &fortran)) return expected(&ps, "True or False");
            have_order = 1;
        } else if (strcmp(key, "shape") == 0) {
            CLG_TRY(parse_shape(&ps, rank, dims));
            have_shape = 1;
        } else {
            return clg_fail(CLG_ERR_PARSE, "%s: unexpected key '%s' in .npy header", path, key);
        }
        if (accept(&ps, ',')) continue;
        if (!accept(&ps, '}')) return expected(&ps, "',' or '}'");
        break;
    }
    skip_ws(&ps);
    if (ps.p != ps.end) return expected(&ps, "only padding after '}'");
    if (!have_descr || !have_order || !have_shape)
        return clg_fail(CLG_ERR_PARSE, "%s: .npy header lacks '%s'", path,
                        !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    if (strcmp(descr, "<f4") != 0 && strcmp(descr, "<f2") != 0)
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "%s: .npy dtype '%s' is not supported, only little-endian float32 "
                        "('<f4') and float16 ('<f2'); convert with arr.astype(np.float32)", path, descr);
    *elem_size = descr[2] == '2' ? 2 : 4;
    if (fortran)
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "%s: .npy array is in Fortran order; save a C-order array "
                        "(np.ascontiguousarray(arr))", path);
    return CLG_OK;
}

/* ---- .npy files -------------------------------------------------------- */

/* Where .npy bytes come from: an open file, or memory (clg_tensor_parse_npy). */
typedef struct npy_source {
    FILE *f;
    const unsigned char *mem; /* when f is NULL */
    size_t size, pos;
} npy_source;

static clg_status npy_take(npy_source *src, const char *path, void *buf, size_t n)
{
    if (src->f) return read_exact(src->f, path, buf, n);
    /* npy_read checks every length against the size first; this is a backstop. */
    if (n > src->size - src->pos) return clg_fail(CLG_ERR_PARSE, "%s: truncated .npy file", path);
    if (n) memcpy(buf, src->mem + src->pos, n);
    src->pos += n;
    return CLG_OK;
}

/* The magic, version and header length; *prefix: the bytes they take. */
static clg_status npy_read_prefix(npy_source *src, const char *path, size_t *prefix, uint32_t *hlen)
{
    const size_t size = src->size;
    unsigned char pre[12];
    if (size == 0) return clg_fail(CLG_ERR_PARSE, "%s: empty file, not a .npy file", path);
    size_t n = size < 10 ? size : 10;
    CLG_TRY(npy_take(src, path, pre, n));
    if (memcmp(pre, npy_magic, n < 6 ? n : 6) != 0)
        return clg_fail(CLG_ERR_PARSE, "%s: not a .npy file (bad magic, expected \\x93NUMPY)",
                        path);
    if (size < 10) return clg_fail(CLG_ERR_PARSE, "%s: truncated .npy header", path);

    int major = pre[6], minor = pre[7];
    if (major < 1 || major > 3 || minor != 0)
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "%s: .npy format version %d.%d is not supported (1.0, 2.0, 3.0 are)",
                        path, major, minor);
    /* v1 has a 2-byte header length, v2 and v3 a 4-byte one (little-endian). */
    *prefix = major == 1 ? 10 : 12;
    if (size < *prefix) return clg_fail(CLG_ERR_PARSE, "%s: truncated .npy header", path);
    if (major > 1) CLG_TRY(npy_take(src, path, pre + 10, 2));
    *hlen = (uint32_t)pre[8] | (uint32_t)pre[9] << 8;
    if (major > 1) *hlen |= (uint32_t)pre[10] << 16 | (uint32_t)pre[11] << 24;
    if (*hlen > NPY_MAX_HEADER)
        return clg_fail(CLG_ERR_PARSE, "%s: .npy header length %lu is implausibly large", path,
                        (unsigned long)*hlen);
    if (size - *prefix < *hlen)
        return clg_fail(CLG_ERR_PARSE,
                        "%s: truncated .npy header (declares %lu bytes, file has %zu)", path,
                        (unsigned long)*hlen, size - *prefix);
    return CLG_OK;
}

/* Reads the hlen-byte header dictionary and parses it. */
static clg_status npy_read_header(npy_source *src, const char *path, uint32_t hlen, int *rank,
                                  int64_t *dims, size_t *elem)
{
    char *header = malloc(hlen ? hlen : 1);
    if (!header) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
    clg_status st = npy_take(src, path, header, hlen);
    if (st == CLG_OK) st = npy_parse_header(path, header, hlen, rank, dims, elem);
    free(header);
    return st;
}

/* The data's element count; fails unless the `have` bytes after the header
   are exactly the shape's. */
static clg_status npy_check_data_size(const char *path, int rank, const int64_t *dims, size_t elem,
                                      size_t have, size_t *count)
{
    char shape[256];
    format_shape(shape, sizeof shape, rank, dims);
    if (!clg_dims_count(rank, dims, count))
        return clg_fail(CLG_ERR_PARSE, "%s: .npy shape %s is too large", path, shape);
    /* clg_dims_count keeps count * sizeof(float) within size_t. */
    size_t need = *count * elem;
    if (have < need)
        return clg_fail(CLG_ERR_PARSE,
                        "%s: truncated data: shape %s needs %zu bytes, file has %zu after the "
                        "header", path, shape, need, have);
    if (have > need)
        return clg_fail(CLG_ERR_PARSE, "%s: %zu unexpected bytes after the data of shape %s",
                        path, have - need, shape);
    return CLG_OK;
}

/* Reads count elements of elem bytes into a new tensor of the shape, as host floats. */
static clg_status npy_read_data(npy_source *src, const char *path, int rank, const int64_t *dims,
                                size_t count, size_t elem, clg_tensor **out)
{
    clg_tensor *t;
    clg_status st = clg_tensor_create(rank, dims, &t);
    if (st != CLG_OK) return clg_fail_context(st, "%s", path);
    st = npy_take(src, path, t->data, count * elem);
    if (st != CLG_OK) {
        clg_tensor_destroy(t);
        return st;
    }
    if (elem == 2) { /* float16: widen in place from the back (float i never overlaps half j > i unread) */
        const unsigned char *b = (const unsigned char *)t->data;
        for (size_t i = count; i-- > 0;) t->data[i] = clg_half_to_float((uint16_t)(b[2 * i] | b[2 * i + 1] << 8));
    } else {
        floats_le_to_host(t->data, count);
    }
    *out = t;
    return CLG_OK;
}

static clg_status npy_read(npy_source *src, const char *path, clg_tensor **out)
{
    size_t prefix = 0, elem = 4, count = 0;
    uint32_t hlen = 0;
    int rank = 0;
    int64_t dims[CLG_MAX_RANK];
    CLG_TRY(npy_read_prefix(src, path, &prefix, &hlen));
    CLG_TRY(npy_read_header(src, path, hlen, &rank, dims, &elem));
    CLG_TRY(npy_check_data_size(path, rank, dims, elem, src->size - prefix - hlen, &count));
    return npy_read_data(src, path, rank, dims, count, elem, out);
}

clg_status clg_tensor_load_npy(const char *path, clg_tensor **out)
{
    if (!path || !out)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_tensor_load_npy: NULL argument");
    *out = NULL;
    npy_source src = {0};
    CLG_TRY(clg_open_read(path, ".npy file", NPY_MAX_FILE, &src.f, &src.size));
    clg_status st = npy_read(&src, path, out);
    fclose(src.f);
    return st;
}

clg_status clg_tensor_parse_npy(const void *data, size_t size, const char *name, clg_tensor **out)
{
    if (!out || (!data && size))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_tensor_parse_npy: NULL argument");
    *out = NULL;
    npy_source src = {NULL, data, size, 0};
    return npy_read(&src, name ? name : "<memory>", out);
}

clg_status clg_tensor_save_npy(const char *path, const clg_tensor *t)
{
    return clg_tensor_save_npy_as(path, t, CLG_ELEM_FLOAT32);
}

clg_status clg_tensor_save_npy_as(const char *path, const clg_tensor *t, clg_elem_type type)
{
    if (!path || !t)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_tensor_save_npy: NULL argument");
    const int half = type == CLG_ELEM_FLOAT16;
    size_t count;
    if (t->rank < 0 || t->rank > CLG_MAX_RANK || !clg_dims_count(t->rank, t->dims, &count) ||
        !t->data)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "%s: tensor to save has an invalid shape",
                        path);

    /* As numpy writes v1.0: the header ends in '\n' and the data starts at a
     * multiple of 64 bytes (numpy pads a whole 64 when already aligned). */
    char shape[256], dict[320];
    format_shape(shape, sizeof shape, t->rank, t->dims);
    int dlen = snprintf(dict, sizeof dict, "{'descr': '<f%c', 'fortran_order': False, 'shape': %s, }",
                        half ? '2' : '4', shape);
    size_t pad = 64 - (10 + (size_t)dlen + 1) % 64;
    size_t hlen = (size_t)dlen + pad + 1;
    unsigned char head[10 + sizeof dict + 64 + 1];
    memcpy(head, npy_magic, 6);
    head[6] = 1;
    head[7] = 0;
    head[8] = (unsigned char)(hlen & 0xff);
    head[9] = (unsigned char)(hlen >> 8);
    memcpy(head + 10, dict, (size_t)dlen);
    memset(head + 10 + dlen, ' ', pad);
    head[10 + hlen - 1] = '\n';

    /* Written beside the destination and renamed into place when complete:
       a failed write never truncates or removes an existing file. */
    clg_out_file o;
    CLG_TRY(clg_out_open(&o, path, ".npy file"));
    int ok = fwrite(head, 1, 10 + hlen, o.f) == 10 + hlen;
    /* Convert through a small buffer so big-endian hosts also write little-endian. */
    float chunk[1024];
    for (size_t i = 0; ok && half && i < count; i += 512) {
        unsigned char bytes[1024];
        size_t m = count - i < 512 ? count - i : 512;
        for (size_t k = 0; k < m; k++) {
            const uint16_t h = clg_float_to_half(t->data[i + k]);
            bytes[2 * k] = (unsigned char)(h & 0xff);
            bytes[2 * k + 1] = (unsigned char)(h >> 8);
        }
        ok = fwrite(bytes, 2, m, o.f) == m;
    }
    for (size_t i = 0; ok && !half && i < count; i += 1024) {
        size_t m = count - i < 1024 ? count - i : 1024;
        memcpy(chunk, t->data + i, m * sizeof(float));
        floats_host_to_le(chunk, m);
        ok = fwrite(chunk, sizeof(float), m, o.f) == m;
    }
    return clg_out_commit(&o); /* a failed fwrite shows there, with its reason */
}

/* ---- ONNX TensorProto -------------------------------------------------- */

const char *clg_onnx_type_name(int32_t data_type)
{
    switch (data_type) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__UNDEFINED: return "UNDEFINED";
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: return "FLOAT";
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8: return "UINT8";
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return "INT8";
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT16: return "UINT16";
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: return "INT16";
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: return "INT32";
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: return "INT64";
    case ONNX__TENSOR_PROTO__DATA_TYPE__STRING: return "STRING";
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: return "BOOL";
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16: return "FLOAT16";
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: return "DOUBLE";
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT32: return "UINT32";
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT64: return "UINT64";
    case ONNX__TENSOR_PROTO__DATA_TYPE__COMPLEX64: return "COMPLEX64";
    case ONNX__TENSOR_PROTO__DATA_TYPE__COMPLEX128: return "COMPLEX128";
    case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16: return "BFLOAT16";
    }
    return "UNKNOWN";
}

/* A FLOAT16 or BFLOAT16 TensorProto (checked up to its dims): 2 bytes per value
   in raw_data, or one value per int32_data entry, as ONNX stores them. */
static clg_status tensor16_from_proto(const Onnx__TensorProto *p, const char *where, int half, int r,
                                      size_t count, const char *shape, int *rank, int64_t *dims, float **data)
{
    const char *type = half ? "FLOAT16" : "BFLOAT16";
    if (p->has_raw_data && p->n_int32_data > 0)
        return clg_fail(CLG_ERR_PARSE, "%s: %s tensor has both raw_data and int32_data", where, type);
    if (p->n_float_data > 0)
        return clg_fail(CLG_ERR_PARSE, "%s: %s tensor has float_data", where, type);
    if (p->has_raw_data ? p->raw_data.len != count * 2 : p->n_int32_data != count)
        return clg_fail(CLG_ERR_PARSE, "%s: %s data of %zu bytes / %zu values does not match shape %s (%zu values)",
                        where, type, p->has_raw_data ? p->raw_data.len : 0, p->n_int32_data, shape, count);
    float *d = malloc(count ? count * sizeof(float) : sizeof(float));
    if (!d) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: out of memory for %zu floats", where, count);
    for (size_t i = 0; i < count; i++) {
        const uint16_t bits = p->has_raw_data
                                  ? (uint16_t)(p->raw_data.data[2 * i] | p->raw_data.data[2 * i + 1] << 8)
                                  : (uint16_t)p->int32_data[i];
        d[i] = half ? clg_half_to_float(bits) : clg_bfloat16_to_float(bits);
    }
    *rank = r;
    for (int i = 0; i < r; i++) dims[i] = p->dims[i];
    *data = d;
    return CLG_OK;
}

/* Checks what every supported TensorProto has: a float type (*half, *bf16
   for the 16-bit ones), data in the proto itself, and non-negative dims. */
static clg_status check_tensor_proto(const Onnx__TensorProto *p, const char *where, int *half, int *bf16)
{
    /* A buffer of unrelated protobuf fields also unpacks; no data type means it is not a tensor. */
    if (!p->has_data_type || p->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__UNDEFINED)
        return clg_fail(CLG_ERR_PARSE, "%s: not a valid ONNX TensorProto (no data type)", where);
    /* FLOAT16 and BFLOAT16 are converted to float32 (exactly). */
    *half = p->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
    *bf16 = p->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16;
    if (p->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && !*half && !*bf16)
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "%s: tensor data type %s (%d) is not supported, only FLOAT (float32), FLOAT16 "
                        "and BFLOAT16", where, clg_onnx_type_name(p->data_type), (int)p->data_type);
    if ((p->has_data_location &&
         p->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
        p->n_external_data > 0)
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "%s: tensor data is stored in an external file, which is not supported",
                        where);
    if (p->segment)
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s: segmented tensors are not supported", where);
    if (p->n_dims > CLG_MAX_RANK)
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s: tensor rank %zu exceeds the limit of %d",
                        where, p->n_dims, CLG_MAX_RANK);
    for (int i = 0; i < (int)p->n_dims; i++)
        if (p->dims[i] < 0)
            return clg_fail(CLG_ERR_PARSE, "%s: negative dimension %lld at axis %d", where,
                            (long long)p->dims[i], i);
    return CLG_OK;
}

/* The float32 data of p (count values of the given shape), from raw_data or float_data. */
static clg_status tensor32_from_proto(const Onnx__TensorProto *p, const char *where, int r, size_t count,
                                      const char *shape, int *rank, int64_t *dims, float **data)
{
    /* Check the data length against the shape before allocating anything. */
    size_t need = count * sizeof(float);
    if (p->has_raw_data && p->n_float_data > 0)
        return clg_fail(CLG_ERR_PARSE, "%s: tensor has both raw_data and float_data", where);
    if (p->has_raw_data) {
        if (p->raw_data.len != need)
            return clg_fail(CLG_ERR_PARSE,
                            "%s: raw_data holds %zu bytes but shape %s needs %zu", where,
                            p->raw_data.len, shape, need);
    } else if (p->n_float_data != count) {
        if (p->n_float_data == 0)
            return clg_fail(CLG_ERR_PARSE, "%s: tensor of shape %s has no data", where, shape);
        return clg_fail(CLG_ERR_PARSE, "%s: float_data holds %zu values but shape %s needs %zu",
                        where, p->n_float_data, shape, count);
    }

    float *d = malloc(need ? need : sizeof(float));
    if (!d) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: out of memory for %zu floats", where, count);
    if (count && p->has_raw_data) {
        /* raw_data may be unaligned, so copy bytes rather than cast. */
        memcpy(d, p->raw_data.data, need);
        floats_le_to_host(d, count);
    } else if (count) {
        memcpy(d, p->float_data, need);
    }
    *rank = r;
    for (int i = 0; i < r; i++) dims[i] = p->dims[i];
    *data = d;
    return CLG_OK;
}

clg_status clg_tensor_from_proto(const Onnx__TensorProto *p, const char *where, int *rank,
                                 int64_t *dims, float **data)
{
    if (!where) where = "tensor";
    if (!p || !rank || !dims || !data)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "%s: NULL argument to clg_tensor_from_proto",
                        where);
    int half = 0, bf16 = 0;
    CLG_TRY(check_tensor_proto(p, where, &half, &bf16));
    int r = (int)p->n_dims;
    char shape[256];
    format_shape(shape, sizeof shape, r, p->dims);
    size_t count;
    if (!clg_dims_count(r, p->dims, &count))
        return clg_fail(CLG_ERR_PARSE, "%s: tensor shape %s is too large", where, shape);

    if (half || bf16) return tensor16_from_proto(p, where, half, r, count, shape, rank, dims, data);
    return tensor32_from_proto(p, where, r, count, shape, rank, dims, data);
}

clg_status clg_tensor_load_pb(const char *path, clg_tensor **out)
{
    if (!path || !out)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_tensor_load_pb: NULL argument");
    *out = NULL;
    unsigned char *buf;
    size_t size;
    CLG_TRY(clg_read_file_limit(path, ".pb tensor (protobuf)", CLG_PROTOBUF_MAX_BYTES, &buf, &size));
    clg_status st = clg_tensor_parse_pb(buf, size, path, out);
    free(buf);
    return st;
}

clg_status clg_tensor_parse_pb(const void *bytes, size_t size, const char *path, clg_tensor **out)
{
    if (!out || (!bytes && size))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_tensor_parse_pb: NULL argument");
    *out = NULL;
    if (!path) path = "<memory>";
    if (size == 0) return clg_fail(CLG_ERR_PARSE, "%s: empty file, not an ONNX TensorProto", path);
    Onnx__TensorProto *p = onnx__tensor_proto__unpack(NULL, size, bytes);
    if (!p) return clg_fail(CLG_ERR_PARSE, "%s: not a valid ONNX TensorProto", path);

    int rank;
    int64_t dims[CLG_MAX_RANK];
    float *data;
    clg_status st = clg_tensor_from_proto(p, path, &rank, dims, &data);
    onnx__tensor_proto__free_unpacked(p, NULL);
    if (st != CLG_OK) return st;

    clg_tensor *t = calloc(1, sizeof *t);
    if (!t) {
        free(data);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
    }
    t->rank = rank;
    for (int i = 0; i < rank; i++) t->dims[i] = dims[i];
    t->data = data;
    *out = t;
    return CLG_OK;
}

/* ---- By extension ------------------------------------------------------ */

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m) return 0;
    for (size_t i = 0; i < m; i++)
        if (tolower((unsigned char)s[n - m + i]) != tolower((unsigned char)suffix[i])) return 0;
    return 1;
}

clg_status clg_tensor_load(const char *path, clg_tensor **out)
{
    if (!path || !out) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_tensor_load: NULL argument");
    *out = NULL;
    if (ends_with_ci(path, ".npy")) return clg_tensor_load_npy(path, out);
    if (ends_with_ci(path, ".pb")) return clg_tensor_load_pb(path, out);
    return clg_fail(CLG_ERR_UNSUPPORTED, "%s: unknown tensor format (expected .npy or .pb)", path);
}
