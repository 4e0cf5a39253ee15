/*
 * IDX reader. zlib's gz* functions read gzip and plain files alike. The
 * header is checked completely (magic, type, rank, every dimension, the
 * product against CLG_IDX_MAX_BYTES) before the data is allocated, so a
 * hostile header cannot make us allocate or read without bound.
 */
#include "idx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fail.h"
#include "file_read.h"

/* Reports why the last gzread failed or came up short. */
static clg_status gz_failure(gzFile f, const char *path, const char *what, size_t got,
                             size_t want)
{
    int errnum = Z_OK;
    const char *msg = gzerror(f, &errnum);
    if (errnum == Z_ERRNO)
        return clg_fail(CLG_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    if (errnum != Z_OK && errnum != Z_BUF_ERROR)
        return clg_fail(CLG_ERR_PARSE, "%s: corrupt compressed data in the %s: %s", path, what,
                        msg);
    const char *why = errnum == Z_BUF_ERROR ? msg : "end of file";
    if (want == 0) return clg_fail(CLG_ERR_PARSE, "%s: truncated %s (%s)", path, what, why);
    return clg_fail(CLG_ERR_PARSE, "%s: truncated %s: %zu of %zu bytes (%s)", path, what, got, want,
                    why);
}

/* Reads exactly n bytes (gzread takes at most INT_MAX at a time). */
static clg_status read_exact(gzFile f, const char *path, const char *what, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        size_t chunk = n - done < ((size_t)1 << 30) ? n - done : ((size_t)1 << 30);
        int got = gzread(f, (unsigned char *)buf + done, (unsigned)chunk);
        if (got <= 0) return gz_failure(f, path, what, done, n);
        done += (size_t)got;
    }
    return CLG_OK;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Validates magic, type, rank and dimensions; fills rank, dims and size. */
static clg_status read_header(gzFile f, const char *path, clg_idx *idx)
{
    unsigned char magic[4], raw[4 * CLG_IDX_MAX_RANK];
    CLG_TRY(read_exact(f, path, "header", magic, sizeof magic));
    if (magic[0] || magic[1])
        return clg_fail(CLG_ERR_PARSE, "%s: not an IDX file (bad magic %02x %02x %02x %02x)", path,
                        magic[0], magic[1], magic[2], magic[3]);
    if (magic[2] != 0x08) {
        static const unsigned char known[] = {0x09, 0x0b, 0x0c, 0x0d, 0x0e};
        if (memchr(known, magic[2], sizeof known))
            return clg_fail(CLG_ERR_UNSUPPORTED,
                            "%s: IDX data type 0x%02x is not supported (only unsigned bytes, 0x08)",
                            path, magic[2]);
        return clg_fail(CLG_ERR_PARSE, "%s: not an IDX file (unknown data type 0x%02x)", path,
                        magic[2]);
    }
    int rank = magic[3];
    if (rank == 0) return clg_fail(CLG_ERR_PARSE, "%s: IDX header declares rank 0", path);
    if (rank > CLG_IDX_MAX_RANK)
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s: IDX rank %d is not supported (at most %d)", path,
                        rank, CLG_IDX_MAX_RANK);
    CLG_TRY(read_exact(f, path, "header", raw, 4 * (size_t)rank));
    size_t size = 1;
    for (int i = 0; i < rank; i++) {
        uint32_t d = be32(raw + 4 * i);
        if (d == 0) return clg_fail(CLG_ERR_PARSE, "%s: IDX dimension %d is 0", path, i);
        if (d > CLG_IDX_MAX_BYTES / size)
            return clg_fail(CLG_ERR_PARSE,
                            "%s: IDX dimensions declare more than %zu bytes (hostile or corrupt)",
                            path, CLG_IDX_MAX_BYTES);
        size *= d;
        idx->dims[i] = d;
    }
    idx->rank = rank;
    idx->size = size;
    return CLG_OK;
}

static clg_status read_idx(gzFile f, const char *path, clg_idx *idx)
{
    CLG_TRY(read_header(f, path, idx));
    idx->data = malloc(idx->size);
    if (!idx->data)
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes", path, idx->size);
    CLG_TRY(read_exact(f, path, "data", idx->data, idx->size));
    /* One more byte: trailing data means the header lies; reading also
       makes zlib check the gzip trailer (CRC and length). */
    unsigned char extra;
    int got = gzread(f, &extra, 1);
    if (got > 0)
        return clg_fail(CLG_ERR_PARSE, "%s: data continues past the %zu bytes the header declares",
                        path, idx->size);
    int errnum;
    gzerror(f, &errnum);
    if (got < 0 || errnum != Z_OK) return gz_failure(f, path, "gzip trailer", 0, 0);
    return CLG_OK;
}

clg_status clg_idx_load(const char *path, clg_idx **out)
{
    if (!path || !out) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_idx_load: NULL argument");
    *out = NULL;
    clg_idx *idx = calloc(1, sizeof *idx);
    if (!idx) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
    int fd;
    size_t size;
    clg_status opened = clg_open_read_fd(path, "IDX file", UINT64_MAX, &fd, &size);
    if (opened != CLG_OK) {
        free(idx);
        return opened;
    }
    errno = 0;
    gzFile f = gzdopen(fd, "rb");
    if (!f) {
        close(fd);
        free(idx);
        return clg_fail(CLG_ERR_IO, "%s: cannot open: %s", path,
                        errno ? strerror(errno) : "out of memory");
    }
    clg_status st = read_idx(f, path, idx);
    gzclose(f);
    if (st != CLG_OK) {
        clg_idx_destroy(idx);
        return st;
    }
    *out = idx;
    return CLG_OK;
}

void clg_idx_destroy(clg_idx *idx)
{
    if (!idx) return;
    free(idx->data);
    free(idx);
}
