/* Opening untrusted files for reading: see file_read.h. */
#include "file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fail.h"

const char *clg_file_kind(unsigned mode)
{
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISREG(mode)) return "a regular file";
    return "not a regular file";
}

clg_status clg_open_read_fd(const char *path, const char *what, uint64_t max_bytes, int *out,
                            size_t *size)
{
    if (!path || !out || !size) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_open_read: NULL argument");
    /* O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one forever. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return clg_fail(CLG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return clg_fail(CLG_ERR_IO, "%s: cannot stat: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return clg_fail(CLG_ERR_IO, "%s: cannot read the %s: it is %s, not a regular file", path, what,
                        clg_file_kind(st.st_mode));
    }
    if ((uint64_t)st.st_size > max_bytes || (uintmax_t)st.st_size > SIZE_MAX) {
        close(fd);
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s: cannot read the %s: it has %llu bytes, more than the %llu it may have",
                        path, what, (unsigned long long)st.st_size, (unsigned long long)max_bytes);
    }
    /* Regular files never block; reads go back to the usual blocking mode. */
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    *out = fd;
    *size = (size_t)st.st_size;
    return CLG_OK;
}

clg_status clg_open_read(const char *path, const char *what, uint64_t max_bytes, FILE **out, size_t *size)
{
    int fd;
    CLG_TRY(clg_open_read_fd(path, what, max_bytes, &fd, size));
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int err = errno;
        close(fd);
        return clg_fail(CLG_ERR_IO, "%s: cannot open: %s", path, strerror(err));
    }
    *out = f;
    return CLG_OK;
}

clg_status clg_read_file_limit(const char *path, const char *what, uint64_t max_bytes,
                               unsigned char **data, size_t *size)
{
    if (!path || !data || !size) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_read_file: NULL argument");
    FILE *f;
    size_t n;
    CLG_TRY(clg_open_read(path, what, max_bytes, &f, &n));
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        fclose(f);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: out of memory reading %zu bytes", path, n);
    }
    size_t got = n ? fread(buf, 1, n, f) : 0;
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (got != n) {
        free(buf);
        /* The size came from fstat, so a short read means the file changed under us. */
        if (err) return clg_fail(CLG_ERR_IO, "%s: read error: %s", path, strerror(err));
        return clg_fail(CLG_ERR_IO, "%s: short read (file changed while reading?)", path);
    }
    *data = buf;
    *size = n;
    return CLG_OK;
}
