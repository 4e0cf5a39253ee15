/* On-disk store of compiled programs: see program_store.h. */
#include "program_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"

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

const char *clg_program_store_dir(void)
{
    static _Thread_local char dir[2048];
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && *xdg) n = snprintf(dir, sizeof dir, "%s/clgooglenet/programs", xdg);
    else if (home && *home) n = snprintf(dir, sizeof dir, "%s/.cache/clgooglenet/programs", home);
    else n = -1;
    if (n < 0 || (size_t)n >= sizeof dir) dir[0] = '\0';
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
    const char *dir = clg_program_store_dir();
    if (!*dir) return 0;
    n = snprintf(path, path_size, "%s/%016llx%016llx.bin", dir,
                 (unsigned long long)fnv1a(FNV_BASIS, key, strlen(key)),
                 (unsigned long long)fnv1a(FNV_BASIS2, key, strlen(key)));
    return n > 0 && (size_t)n < path_size;
}

/* Reads a regular file of at most MAX_ENTRY_BYTES whole; NULL otherwise.
   O_NONBLOCK: a FIFO planted in the folder must not hang the open. */
static unsigned char *read_entry(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    unsigned char *buf = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= (off_t)HEADER_BYTES &&
        (uint64_t)st.st_size <= MAX_ENTRY_BYTES && (buf = malloc((size_t)st.st_size))) {
        size_t got = 0;
        while (got < (size_t)st.st_size) {
            ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            got += (size_t)r;
        }
        if (got != (size_t)st.st_size) {
            free(buf);
            buf = NULL;
        }
        *size = got;
    }
    close(fd);
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
    unsigned char *buf = read_entry(path, &size);
    if (!buf) return NULL; /* no entry (or not a file we would read) */
    const unsigned char *binary = check_entry(buf, size, key, &len);
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

/* mkdir -p for the store's folder. */
static int make_dirs(const char *dir)
{
    char path[2048];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) return 0;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) return 0;
        *p = '/';
    }
    return mkdir(path, 0755) == 0 || errno == EEXIST;
}

static int write_all(int fd, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        p += w;
        n -= (size_t)w;
    }
    return 1;
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
    char key[4096], path[2200], tmp[2300];
    size_t len = 0;
    if (!entry_key(ctx, source, options, key, sizeof key, path, sizeof path) ||
        !make_dirs(clg_program_store_dir()))
        return;
    unsigned char *binary = program_binary(program, &len);
    if (!binary) return;
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd >= 0) {
        const uint64_t h[3] = {strlen(key), len, fnv1a(FNV_BASIS, binary, len)};
        int ok = write_all(fd, ENTRY_MAGIC, 8) && write_all(fd, h, sizeof h) &&
                 write_all(fd, key, strlen(key)) && write_all(fd, binary, len);
        ok = close(fd) == 0 && ok;
        if (!ok || rename(tmp, path) != 0) unlink(tmp);
    }
    free(binary);
}
