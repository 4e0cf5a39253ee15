/* On-disk store of compiled programs: see program_store.h. */
#include "program_store.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_cache.h"
#include "context.h"
#include "error.h"
#include "file_read.h"
#include "safe_write.h"

#define ENTRY_MAGIC "CLGPROG1"
/* magic, key length, binary length, binary checksum */
#define HEADER_BYTES (8 + 3 * sizeof(uint64_t))
/* No driver's binary of one program comes near this; larger files are not ours. */
#define MAX_ENTRY_BYTES ((uint64_t)512 << 20)

/* FNV-1a, 64 bits: names entries and checks their bytes (not a defence
   against a hostile cache folder, which could hold any binary anyway). */
static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}
#define FNV_BASIS 0xcbf29ce484222325ULL
#define FNV_BASIS2 0x84222325cbf29ce4ULL /* a second, independent-enough stream */

const char *clg_program_store_dir(const clg_context *ctx)
{
    static _Thread_local char dir[2048];
    if (!clg_cache_path(ctx, "programs", dir, sizeof dir)) dir[0] = '\0';
    return dir;
}

/* The key every entry repeats, and the entry's path. 0 if either does not fit. */
static int entry_key(const clg_context *ctx, const char *source, const char *options, char *key,
                     size_t key_size, char *path, size_t path_size)
{
    const size_t src_len = strlen(source);
    int n = snprintf(key, key_size,
                     "clgooglenet program\nplatform=%s\ndevice=%s\ndriver=%s\nopencl_c=%s\n"
                     "options=%s\nsource=%zu:%016llx%016llx\n",
                     ctx->info.platform_name, ctx->info.device_name, ctx->info.driver_version,
                     ctx->info.opencl_c_version, options, src_len,
                     (unsigned long long)fnv1a(FNV_BASIS, source, src_len),
                     (unsigned long long)fnv1a(FNV_BASIS2, source, src_len));
    if (n < 0 || (size_t)n >= key_size) return 0;
    const char *dir = clg_program_store_dir(ctx);
    if (!*dir) return 0;
    n = snprintf(path, path_size, "%s/%016llx%016llx.bin", dir,
                 (unsigned long long)fnv1a(FNV_BASIS, key, strlen(key)),
                 (unsigned long long)fnv1a(FNV_BASIS2, key, strlen(key)));
    return n > 0 && (size_t)n < path_size;
}

/* The entry's bytes, or NULL: *present says whether something (perhaps not
   a regular file, or too large) is there. Reading refuses FIFOs and devices
   before opening them for data (file_read.h). A miss is no error, so the
   caller's last error is kept. */
static unsigned char *read_entry(const char *path, size_t *size, int *present)
{
    struct stat st;
    *present = lstat(path, &st) == 0 || errno != ENOENT;
    if (!*present) return NULL;
    char saved[4096];
    snprintf(saved, sizeof saved, "%s", clg_last_error());
    unsigned char *buf = NULL;
    if (clg_read_file_limit(path, "program store entry", MAX_ENTRY_BYTES, &buf, size) != CLG_OK) buf = NULL;
    clg_fail(CLG_OK, "%s", saved);
    return buf;
}

/* The binary inside an entry whose key and checksum match, else NULL. */
static const unsigned char *check_entry(const unsigned char *buf, size_t size, const char *key,
                                        size_t *binary_len)
{
    uint64_t h[3];
    if (size < HEADER_BYTES || memcmp(buf, ENTRY_MAGIC, 8) != 0) return NULL;
    memcpy(h, buf + 8, sizeof h);
    const uint64_t key_len = strlen(key);
    if (h[0] != key_len || h[1] == 0 || h[1] > MAX_ENTRY_BYTES ||
        size != HEADER_BYTES + key_len + h[1] || memcmp(buf + HEADER_BYTES, key, key_len) != 0)
        return NULL;
    const unsigned char *binary = buf + HEADER_BYTES + key_len;
    if (fnv1a(FNV_BASIS, binary, (size_t)h[1]) != h[2]) return NULL;
    *binary_len = (size_t)h[1];
    return binary;
}

cl_program clg_program_store_load(clg_context *ctx, const char *source, const char *options)
{
    char key[4096], path[2200];
    if (!entry_key(ctx, source, options, key, sizeof key, path, sizeof path)) return NULL;
    size_t size = 0, len = 0;
    int present = 0;
    unsigned char *buf = read_entry(path, &size, &present);
    if (!present) return NULL;
    const unsigned char *binary = buf ? check_entry(buf, size, key, &len) : NULL;
    cl_program program = NULL;
    if (binary) {
        cl_int err, status = CL_SUCCESS;
        program = clCreateProgramWithBinary(ctx->context, 1, &ctx->device, &len, &binary, &status, &err);
        if (err != CL_SUCCESS || status != CL_SUCCESS) {
            if (program) clReleaseProgram(program);
            program = NULL;
        } else if (clBuildProgram(program, 1, &ctx->device, options, NULL, NULL) != CL_SUCCESS) {
            clReleaseProgram(program);
            program = NULL;
        }
    }
    free(buf);
    if (!program) unlink(path); /* unusable: the rebuild writes a fresh one */
    return program;
}

/* The program's binary for its one device (malloc'd), or NULL. */
static unsigned char *program_binary(cl_program program, size_t *len)
{
    cl_uint devices = 0;
    size_t size = 0;
    if (clGetProgramInfo(program, CL_PROGRAM_NUM_DEVICES, sizeof devices, &devices, NULL) != CL_SUCCESS ||
        devices != 1 ||
        clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS ||
        size == 0 || size > MAX_ENTRY_BYTES)
        return NULL;
    unsigned char *binary = malloc(size);
    if (binary && clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof binary, &binary, NULL) != CL_SUCCESS) {
        free(binary);
        return NULL;
    }
    *len = size;
    return binary;
}

void clg_program_store_save(clg_context *ctx, const char *source, const char *options,
                            cl_program program)
{
    char key[4096], path[2200];
    size_t len = 0;
    if (!entry_key(ctx, source, options, key, sizeof key, path, sizeof path) || !clg_cache_make_dirs(path))
        return;
    unsigned char *binary = program_binary(program, &len);
    if (!binary) return;
    /* Written beside the old entry and renamed into place (safe_write.h). */
    char saved[4096];
    snprintf(saved, sizeof saved, "%s", clg_last_error());
    clg_out_file out;
    if (clg_out_open(&out, path, "program store entry") == CLG_OK) {
        const uint64_t h[3] = {strlen(key), len, fnv1a(FNV_BASIS, binary, len)};
        fwrite(ENTRY_MAGIC, 1, 8, out.f);
        fwrite(h, sizeof h, 1, out.f);
        fwrite(key, 1, strlen(key), out.f);
        fwrite(binary, 1, len, out.f);
        clg_out_commit(&out); /* a failure only means the next process compiles */
    }
    clg_fail(CLG_OK, "%s", saved);
    free(binary);
}
