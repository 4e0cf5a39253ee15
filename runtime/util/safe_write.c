/* Writes that cannot lose data: see safe_write.h. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "safe_write.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fail.h"
#include "file_read.h"

static void out_free(clg_out_file *o)
{
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    o->f = NULL;
}

/* A device, a FIFO or a socket: written in place (no rename over a device node). */
static clg_status open_in_place(clg_out_file *o)
{
    /* O_NONBLOCK: a FIFO nobody reads fails with ENXIO instead of waiting forever. */
    int fd = open(o->path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        clg_status st = clg_fail(CLG_ERR_IO, "%s: cannot write the %s: %s", o->path, o->what,
                                 err == ENXIO ? "a FIFO with no reader" : strerror(err));
        out_free(o);
        return st;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        int err = errno;
        close(fd);
        clg_status st = clg_fail(CLG_ERR_IO, "%s: cannot write the %s: %s", o->path, o->what, strerror(err));
        out_free(o);
        return st;
    }
    return CLG_OK;
}

/* A new file next to the destination (same file system, so rename is atomic). */
static clg_status open_temporary(clg_out_file *o, const struct stat *existing)
{
    static atomic_uint counter;
    const char *slash = strrchr(o->path, '/');
    const size_t dir_len = slash ? (size_t)(slash - o->path) + 1 : 0;
    const size_t cap = strlen(o->path) + 64;
    o->tmp = malloc(cap);
    if (!o->tmp) {
        out_free(o);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory writing the %s", o->what);
    }
    int fd = -1, err = 0;
    for (int attempt = 0; fd < 0 && attempt < 100; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(o->tmp, cap, "%.*s.%s.%ld.%u.%ld.tmp", (int)dir_len, o->path, o->path + dir_len, (long)getpid(),
                 atomic_fetch_add(&counter, 1), (long)(ts.tv_nsec % 100000));
        /* 0666 less the umask, as a plain fopen would create it. */
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0666);
        err = errno;
        if (fd < 0 && err != EEXIST) break;
    }
    if (fd < 0) {
        clg_status st = clg_fail(CLG_ERR_IO, "%s: cannot write the %s: cannot create a file in its folder: %s",
                                 o->path, o->what, strerror(err));
        free(o->tmp);
        o->tmp = NULL;
        out_free(o);
        return st;
    }
    /* Replacing a file keeps its permissions. */
    if (existing) fchmod(fd, existing->st_mode & 07777);
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        err = errno;
        close(fd);
        unlink(o->tmp);
        out_free(o);
        return clg_fail(CLG_ERR_IO, "%s: cannot write the %s: %s", o->path, o->what, strerror(err));
    }
    return CLG_OK;
}

clg_status clg_out_open(clg_out_file *o, const char *path, const char *what)
{
    if (!o || !path || !*path) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_out_open: no path");
    memset(o, 0, sizeof *o);
    o->what = what ? what : "file";
    /* Through a symbolic link: the file it points to is replaced, the link stays. */
    struct stat lst, st;
    char *resolved = NULL;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) resolved = realpath(path, NULL);
    o->path = resolved ? resolved : strdup(path);
    if (!o->path) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory writing the %s", o->what);
    if (stat(o->path, &st) != 0) {
        if (errno != ENOENT) {
            int err = errno;
            clg_status s = clg_fail(CLG_ERR_IO, "%s: cannot write the %s: %s", o->path, o->what, strerror(err));
            out_free(o);
            return s;
        }
        return open_temporary(o, NULL);
    }
    if (S_ISDIR(st.st_mode)) {
        clg_status s = clg_fail(CLG_ERR_IO, "%s: cannot write the %s: it is a directory", o->path, o->what);
        out_free(o);
        return s;
    }
    if (!S_ISREG(st.st_mode)) return open_in_place(o);
    return open_temporary(o, &st);
}

void clg_out_abort(clg_out_file *o)
{
    if (!o || !o->path) return;
    if (o->f) fclose(o->f);
    if (o->tmp) unlink(o->tmp);
    out_free(o);
}

clg_status clg_out_commit(clg_out_file *o)
{
    if (!o || !o->f) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_out_commit: nothing open");
    /* A write that failed earlier left errno; fflush retries what is buffered. */
    int err = ferror(o->f) ? errno : 0;
    errno = 0;
    if (fflush(o->f) != 0 || ferror(o->f)) err = errno ? errno : err ? err : EIO;
    /* On disk before the rename, so a crash cannot leave an empty file in its place. */
    if (!err && o->tmp && fsync(fileno(o->f)) != 0) err = errno;
    if (fclose(o->f) != 0 && !err) err = errno;
    o->f = NULL;
    if (!err && o->tmp && rename(o->tmp, o->path) != 0) err = errno;
    if (err) {
        clg_status st = clg_fail(CLG_ERR_IO, "%s: cannot write the %s: %s%s", o->path, o->what, strerror(err),
                                 o->tmp ? " (any existing file is unchanged)" : "");
        if (o->tmp) unlink(o->tmp);
        out_free(o);
        return st;
    }
    out_free(o);
    return CLG_OK;
}

clg_status clg_write_file(const char *path, const char *what, const void *data, size_t size)
{
    clg_out_file o;
    CLG_TRY(clg_out_open(&o, path, what));
    if (size) fwrite(data, 1, size, o.f); /* a short write shows as ferror in the commit */
    return clg_out_commit(&o);
}
