/* External tensor data: see external_data.h. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "external_data.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "file_read.h"

int clg_tensor_is_external(const Onnx__TensorProto *t)
{
    return (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) ||
           t->n_external_data > 0;
}

/* A decimal byte count of an external_data entry; 0 when malformed. */
static int parse_bytes(const char *text, uint64_t *value)
{
    if (!text || !*text) return 0;
    uint64_t v = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *value = v;
    return 1;
}

/* Whether a relative location has a ".." component (or is empty). */
static int climbs_out(const char *location)
{
    for (const char *p = location; *p;) {
        const char *end = strchr(p, '/');
        const size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.') return 1;
        p += len + (end != NULL);
    }
    return 0;
}

/* Resolves base_dir/location and checks it stays inside base_dir (after symbolic links). */
static clg_status resolve(const char *base_dir, const char *location, const char *where, char path[PATH_MAX])
{
    if (location[0] == '/')
        return clg_fail(CLG_ERR_IO, "%s: external data file '%s' is an absolute path; only paths inside the "
                                    "model's folder are read", where, location);
    if (climbs_out(location))
        return clg_fail(CLG_ERR_IO, "%s: external data file '%s' leaves the model's folder", where, location);
    char joined[PATH_MAX], base[PATH_MAX];
    if ((size_t)snprintf(joined, sizeof joined, "%s/%s", base_dir, location) >= sizeof joined)
        return clg_fail(CLG_ERR_IO, "%s: external data file '%s': path too long", where, location);
    if (!realpath(base_dir, base))
        return clg_fail(CLG_ERR_IO, "%s: model folder '%s': %s", where, base_dir, strerror(errno));
    if (!realpath(joined, path))
        return clg_fail(CLG_ERR_IO, "%s: external data file '%s': %s", where, joined, strerror(errno));
    const size_t n = strlen(base);
    const int inside = strncmp(path, base, n) == 0 && (path[n] == '/' || path[n] == '\0' || (n == 1 && base[0] == '/'));
    if (!inside)
        return clg_fail(CLG_ERR_IO, "%s: external data file '%s' resolves to '%s', outside the model's folder "
                                    "(a symbolic link?)", where, joined, path);
    return CLG_OK;
}

/* What a tensor's external_data entries say. */
typedef struct external_ref {
    const char *location;
    uint64_t offset, length;
    int has_length;
} external_ref;

/* Reads the location, offset and length entries; the others are informative. */
static clg_status parse_entries(const Onnx__TensorProto *t, const char *where, external_ref *ref)
{
    for (size_t i = 0; i < t->n_external_data; i++) {
        const Onnx__StringStringEntryProto *e = t->external_data[i];
        const char *key = e->key ? e->key : "";
        if (strcmp(key, "location") == 0) {
            ref->location = e->value;
        } else if (strcmp(key, "offset") == 0) {
            if (!parse_bytes(e->value, &ref->offset))
                return clg_fail(CLG_ERR_PARSE, "%s: external data offset '%s' is not a byte count", where,
                                e->value ? e->value : "");
        } else if (strcmp(key, "length") == 0) {
            if (!parse_bytes(e->value, &ref->length))
                return clg_fail(CLG_ERR_PARSE, "%s: external data length '%s' is not a byte count", where,
                                e->value ? e->value : "");
            ref->has_length = 1;
        } /* "checksum" and others: informative */
    }
    return CLG_OK;
}

/* The file of `size` bytes must hold need bytes from the offset, and with no
   length given, nothing after them. */
static clg_status check_file_size(const external_ref *ref, const char *where, size_t size, size_t need)
{
    if (ref->offset > size || size - ref->offset < need)
        return clg_fail(CLG_ERR_PARSE, "%s: external data file '%s' is too short: %zu bytes, the tensor needs "
                                       "%zu from offset %llu", where, ref->location, size, need,
                        (unsigned long long)ref->offset);
    if (!ref->has_length && size - ref->offset != need) /* no length: the data runs to the end of the file */
        return clg_fail(CLG_ERR_PARSE, "%s: external data file '%s' has %llu bytes after offset %llu, but the "
                                       "tensor's shape needs %zu", where, ref->location,
                        (unsigned long long)(size - ref->offset), (unsigned long long)ref->offset, need);
    return CLG_OK;
}

/* Reads need bytes from the offset of the open file fd into a new buffer. */
static clg_status read_range(int fd, const external_ref *ref, const char *where, size_t need, unsigned char **data)
{
    unsigned char *buf = malloc(need ? need : 1);
    if (!buf) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: out of memory for %zu bytes of external data", where, need);
    size_t got = 0;
    while (got < need) {
        ssize_t r = pread(fd, buf + got, need - got, (off_t)(ref->offset + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            const int err = r < 0 ? errno : 0;
            free(buf);
            return clg_fail(CLG_ERR_IO, "%s: reading external data file '%s': %s", where, ref->location,
                            err ? strerror(err) : "short read (file changed while reading?)");
        }
        got += (size_t)r;
    }
    *data = buf;
    return CLG_OK;
}

clg_status clg_external_data_read(const Onnx__TensorProto *t, const char *base_dir, const char *where,
                                  size_t need, unsigned char **data)
{
    external_ref ref = {NULL, 0, 0, 0};
    CLG_TRY(parse_entries(t, where, &ref));
    if (!ref.location || !*ref.location)
        return clg_fail(CLG_ERR_PARSE, "%s: external data has no location", where);
    if (!base_dir)
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s: data is in the external file '%s', which needs the model's "
                                             "folder: load the model from its file", where, ref.location);
    if (ref.has_length && ref.length != need)
        return clg_fail(CLG_ERR_PARSE, "%s: external data in '%s' has length %llu but the tensor's shape needs "
                                       "%zu bytes", where, ref.location, (unsigned long long)ref.length, need);
    char path[PATH_MAX];
    CLG_TRY(resolve(base_dir, ref.location, where, path));
    int fd;
    size_t size;
    clg_status st = clg_open_read_fd(path, "external data file", UINT64_MAX, &fd, &size);
    if (st != CLG_OK) return clg_fail_context(st, "%s", where);
    st = check_file_size(&ref, where, size, need);
    if (st == CLG_OK) st = read_range(fd, &ref, where, need, data);
    close(fd);
    return st;
}
