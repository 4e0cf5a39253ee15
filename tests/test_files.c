/*
 * Hostile files and text: escaping of untrusted names (runtime/util/escape.c),
 * readers that refuse FIFOs, devices, directories and oversized files before
 * reading (runtime/util/file_read.c), writes that never lose an existing file
 * (runtime/util/safe_write.c) and caches that are ignored rather than trusted
 * (runtime/device/device_cache.c). No OpenCL device is needed except for the peak.
 */
#define TMP_FIXTURE_PREFIX "clg_files"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_cache.h"
#include "check_main.h"
#include "clgooglenet.h"
#include "context.h"
#include "error.h"
#include "escape.h"
#include "file_read.h"
#include "safe_write.h"
#include "tensor_io.h"
#include "tmp_fixture.h"
#include "tuning.h"

/* ---- Escaping ------------------------------------------------------------ */

static void escapes_to(const char *in, const char *want)
{
    char buf[256], again[256];
    clg_escape(in, buf, sizeof buf);
    ck_assert_msg(strcmp(buf, want) == 0, "escaped to \"%s\", want \"%s\"", buf, want);
    /* The result is printable, so escaping it again changes nothing. */
    ck_assert_str_eq(clg_escape(buf, again, sizeof again), buf);
}

START_TEST(escape_controls_and_invalid_utf8)
{
    escapes_to("conv1/Relu", "conv1/Relu");
    escapes_to("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m");
    escapes_to("bell\a cr\r nl\n tab\t del\x7f", "bell\\x07 cr\\x0d nl\\x0a tab\\x09 del\\x7f");
    escapes_to("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    escapes_to("c1 \xc2\x9b csi", "c1 \\xc2\\x9b csi");                /* U+009B acts as ESC [ */
    escapes_to("bad \xff\xfe", "bad \\xff\\xfe");                        /* never valid */
    escapes_to("overlong \xc0\xaf", "overlong \\xc0\\xaf");               /* '/' in two bytes */
    escapes_to("surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80");
    escapes_to("cut \xe2\x82", "cut \\xe2\\x82");                        /* truncated sequence */
    escapes_to("too big \xf4\x90\x80\x80", "too big \\xf4\\x90\\x80\\x80"); /* over U+10FFFF */
    char buf[16];
    ck_assert_str_eq(clg_escape(NULL, buf, sizeof buf), "(null)");
    /* Cut with "..." at a whole character, never inside an escape or a UTF-8 sequence. */
    ck_assert_str_eq(clg_escape("abcdefghijklmnopqrstuvwxyz", buf, sizeof buf), "abcdefghijkl...");
    ck_assert_str_eq(clg_escape("abcdefghij\x1b\x1b", buf, sizeof buf), "abcdefghij...");
    ck_assert_str_eq(clg_escape("abcdefghij\xc3\xa9\xc3\xa9", buf, sizeof buf), "abcdefghij\xc3\xa9...");
    char keep[64];
    ck_assert_str_eq(clg_escape_flags("log\nline\r", CLG_ESCAPE_KEEP_NEWLINES, keep, sizeof keep),
                     "log\nline\\x0d");
}
END_TEST

START_TEST(escape_library_messages)
{
    /* Every message is escaped where it is recorded; context keeps it as it is. */
    clg_fail(CLG_ERR_PARSE, "node '%s' (%s)", "\x1b]0;title\a", "Op\r");
    ck_assert_str_eq(clg_last_error(), "node '\\x1b]0;title\\x07' (Op\\x0d)");
    clg_fail_context(CLG_ERR_PARSE, "%s", "model\x1b[2J.onnx");
    ck_assert_str_eq(clg_last_error(), "model\\x1b[2J.onnx: node '\\x1b]0;title\\x07' (Op\\x0d)");
    /* A build log keeps its lines, nothing else. */
    clg_fail_log(CLG_ERR_KERNEL_BUILD, "line 1: error\nline 2\x1b[31m", "building %s failed", "x.cl");
    ck_assert_str_eq(clg_last_error(), "building x.cl failed\nline 1: error\nline 2\\x1b[31m");
}
END_TEST

/* ---- Readers ---------------------------------------------------------------- */

/* A FIFO nobody writes to: opening it must not block (alarm fails the test if it does). */
static const char *make_fifo(const char *name)
{
    const char *p = tmp_path(name);
    ck_assert_int_eq(mkfifo(p, 0600), 0);
    return p;
}

static void refused(clg_status st, clg_status want, const char *what)
{
    ck_assert_msg(st == want, "%s: got %s: %s", what, clg_status_to_string(st), clg_last_error());
    printf("refused as expected: %s\n", clg_last_error());
}

START_TEST(readers_refuse_special_files)
{
    alarm(20);
    const char *fifo = make_fifo("fifo.npy");
    clg_tensor *t = NULL;
    refused(clg_tensor_load_npy(fifo, &t), CLG_ERR_IO, "npy FIFO");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "is a FIFO, not a regular file"));
    refused(clg_tensor_load_pb(fifo, &t), CLG_ERR_IO, "pb FIFO");
    clg_image *img = NULL;
    refused(clg_image_load(fifo, &img), CLG_ERR_IO, "image FIFO");
    ck_assert_int_eq(clg_image_file_sniff(fifo), 0);
    refused(clg_tensor_load_npy("/dev/zero", &t), CLG_ERR_IO, "/dev/zero");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "is a character device"));
    refused(clg_tensor_load_npy(tmpdir, &t), CLG_ERR_IO, "directory");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "is a directory"));
    const char *link = tmp_path("zero.pb");
    ck_assert_int_eq(symlink("/dev/zero", link), 0);
    refused(clg_tensor_load_pb(link, &t), CLG_ERR_IO, "link to /dev/zero");
    ck_assert_ptr_null(t);
    ck_assert_ptr_null(img);
    alarm(0);
}
END_TEST

START_TEST(readers_refuse_oversized_files)
{
    /* A 3 GiB sparse file: protobuf's limit is 2 GiB, so it is refused from its size, unread. */
    const char *big = tmp_path("big.pb");
    FILE *f = fopen(big, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(ftruncate(fileno(f), (off_t)3 << 30), 0);
    fclose(f);
    clg_tensor *t = NULL;
    refused(clg_tensor_load_pb(big, &t), CLG_ERR_UNSUPPORTED, "3 GiB .pb");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "3221225472 bytes"));
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "more than the 2147483648 it may have"));
    unsigned char *data = NULL;
    size_t size = 0;
    refused(clg_read_file(big, &data, &size), CLG_ERR_UNSUPPORTED, "3 GiB file");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    ck_assert_msg(ru.ru_maxrss < 500 * 1024, "peak RSS %ld kB: the file was read", ru.ru_maxrss);
}
END_TEST

START_TEST(tensors_over_the_limit_are_refused)
{
    /* --batch 65536 of 1x96x96: 6e8 elements, refused from the shape. */
    const int64_t dims[4] = {65536, 1, 96, 96};
    clg_tensor *t = NULL;
    refused(clg_tensor_create(4, dims, &t), CLG_ERR_UNSUPPORTED, "65536x1x96x96");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "603979776 elements"));
    const int64_t edge[1] = {(int64_t)CLG_TENSOR_MAX_ELEMENTS + 1};
    refused(clg_tensor_create(1, edge, &t), CLG_ERR_UNSUPPORTED, "limit + 1");
    ck_assert_ptr_null(t);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    ck_assert_msg(ru.ru_maxrss < 500 * 1024, "peak RSS %ld kB", ru.ru_maxrss);
}
END_TEST

/* ---- Writes ------------------------------------------------------------------ */

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static void assert_text(const char *path, const char *want)
{
    char buf[64] = "";
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    ck_assert_str_eq(buf, want);
}

START_TEST(failed_writes_keep_existing_files)
{
    /* A full disk, here the file size limit (EFBIG): the old file survives, the
       message says why, and no temporary file is left (teardown checks). */
    const char *npy = tmp_path("keep.npy"), *json = tmp_path("keep.json");
    write_text(npy, "precious");
    write_text(json, "precious");
    const int64_t dims[1] = {4096};
    clg_tensor *t = NULL;
    ck_assert_int_eq(clg_tensor_create(1, dims, &t), CLG_OK);
    clg_trace *trace = NULL;
    ck_assert_int_eq(clg_trace_create(&trace), CLG_OK);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit old, rl;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    rl = old;
    rl.rlim_cur = 100;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    clg_status st_npy = clg_tensor_save_npy(npy, t);
    char npy_error[512];
    snprintf(npy_error, sizeof npy_error, "%s", clg_last_error());
    clg_status st_json = clg_trace_write_json(trace, json);
    /* Back to normal before Check reports anything (it may write to files). */
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    ck_assert_msg(st_npy == CLG_ERR_IO && strstr(npy_error, strerror(EFBIG)), "npy: %s", npy_error);
    refused(st_json, CLG_ERR_IO, "trace over the limit");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), strerror(EFBIG)));
    assert_text(npy, "precious");
    assert_text(json, "precious");
    /* /dev/full: written in place (never renamed over), and the reason given. */
    if (access("/dev/full", W_OK) == 0) {
        refused(clg_tensor_save_npy("/dev/full", t), CLG_ERR_IO, "/dev/full");
        ck_assert_ptr_nonnull(strstr(clg_last_error(), strerror(ENOSPC)));
        struct stat st;
        ck_assert_int_eq(stat("/dev/full", &st), 0);
        ck_assert(S_ISCHR(st.st_mode));
    }
    clg_trace_destroy(trace);
    clg_tensor_destroy(t);
}
END_TEST

START_TEST(writes_replace_atomically)
{
    /* Replacing keeps the file's permissions; through a link, the target is replaced. */
    const char *npy = tmp_path("out.npy"), *link = tmp_path("link.npy");
    write_text(npy, "old");
    ck_assert_int_eq(chmod(npy, 0640), 0);
    ck_assert_int_eq(symlink(npy, link), 0);
    const int64_t dims[2] = {2, 3};
    clg_tensor *t = NULL, *back = NULL;
    ck_assert_int_eq(clg_tensor_create(2, dims, &t), CLG_OK);
    t->data[5] = 42.0f;
    ck_assert_int_eq(clg_tensor_save_npy(link, t), CLG_OK);
    struct stat st, lst;
    ck_assert_int_eq(stat(npy, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0640);
    ck_assert_int_eq(lstat(link, &lst), 0);
    ck_assert(S_ISLNK(lst.st_mode));
    ck_assert_int_eq(clg_tensor_load_npy(npy, &back), CLG_OK);
    ck_assert_float_eq(back->data[5], 42.0f);
    clg_tensor_destroy(back);
    clg_tensor_destroy(t);
    /* A directory or a FIFO nobody reads: an error, not a hang. */
    alarm(20);
    refused(clg_write_file(tmpdir, "output", "x", 1), CLG_ERR_IO, "directory");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "is a directory"));
    const char *fifo = make_fifo("out.fifo");
    refused(clg_write_file(fifo, "output", "x", 1), CLG_ERR_IO, "FIFO");
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "no reader"));
    alarm(0);
}
END_TEST

/* ---- Caches ----------------------------------------------------------------- */

/* A context with just enough filled in for the cache functions (no OpenCL). */
/* Its settings (the cache folder) are resolved from the environment as
   context creation does: set the variables first. Free settings_strings. */
static clg_context fake_context(void)
{
    clg_context ctx;
    memset(&ctx, 0, sizeof ctx);
    snprintf(ctx.info.platform_name, sizeof ctx.info.platform_name, "Test Platform");
    snprintf(ctx.info.device_name, sizeof ctx.info.device_name, "Test Device");
    snprintf(ctx.info.driver_version, sizeof ctx.info.driver_version, "1.0");
    ck_assert_int_eq(clg_context_settings_resolve(&ctx), CLG_OK);
    return ctx;
}

START_TEST(caches_that_are_not_files_are_ignored)
{
    alarm(20);
    setenv("XDG_CACHE_HOME", tmpdir, 1);
    const char *dir = tmp_path("clgooglenet");
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    const char *tuning = tmp_path("clgooglenet/tuning.txt");
    ck_assert_int_eq(mkfifo(tuning, 0600), 0);
    clg_context ctx = fake_context();
    char value[64];
    /* The last error is not the cache's business. */
    clg_fail(CLG_ERR_PARSE, "earlier failure");
    ck_assert_int_eq(clg_tune_lookup(&ctx, "conv n1", value, sizeof value), 0);
    clg_tune_store(&ctx, "conv n1", "kvec 4 1"); /* a FIFO without reader: a warning */
    ck_assert_str_eq(clg_last_error(), "earlier failure");
    struct stat st;
    ck_assert_int_eq(stat(tuning, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    unlink(tuning);
    /* Larger than any real cache: ignored, then replaced by a fresh one. */
    FILE *f = fopen(tuning, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(ftruncate(fileno(f), (off_t)CLG_CACHE_MAX_BYTES + 1), 0);
    fclose(f);
    ck_assert_int_eq(clg_tune_lookup(&ctx, "conv n1", value, sizeof value), 0);
    clg_tune_store(&ctx, "conv n1", "kvec 4 1");
    ck_assert_int_eq(clg_tune_lookup(&ctx, "conv n1", value, sizeof value), 1);
    ck_assert_str_eq(value, "kvec 4 1");
    clg_tune_store(&ctx, "conv n2", "wino 4");
    ck_assert_int_eq(clg_tune_lookup(&ctx, "conv n1", value, sizeof value), 1);
    ck_assert_int_eq(clg_tune_lookup(&ctx, "conv n2", value, sizeof value), 1);
    ck_assert_str_eq(value, "wino 4");
    /* peak.txt as a link to /dev/zero, then with values out of range: never trusted. */
    const char *peak = tmp_path("clgooglenet/peak.txt");
    ck_assert_int_eq(symlink("/dev/zero", peak), 0);
    char text[64];
    ck_assert_ptr_null(clg_cache_read(peak));
    unlink(peak);
    snprintf(text, sizeof text, "%.3f\tTest Platform|Test Device|1.0|probe 2\n", 123.5);
    write_text(peak, text);
    double gflops = 0;
    ck_assert_int_eq(clg_context_peak_gflops(&ctx, &gflops), CLG_OK); /* from the cache: no device */
    ck_assert_double_eq_tol(gflops, 123.5, 1e-9);
    unlink(tuning);
    unlink(peak);
    ck_assert_int_eq(rmdir(dir), 0);
    free(ctx.settings_strings);
    unsetenv("XDG_CACHE_HOME");
    alarm(0);
}
END_TEST

START_TEST(peak_values_out_of_range_are_remeasured)
{
    /* PoCL keeps its kernel cache where it was (it follows XDG_CACHE_HOME too). */
    if (!getenv("POCL_CACHE_DIR")) {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        char pocl[1024];
        snprintf(pocl, sizeof pocl, "%s%s/pocl/kcache", xdg && *xdg ? xdg : home ? home : "/tmp",
                 xdg && *xdg ? "" : "/.cache");
        setenv("POCL_CACHE_DIR", pocl, 1);
    }
    setenv("XDG_CACHE_HOME", tmpdir, 1);
    const char *dir = tmp_path("clgooglenet");
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    const char *peak = tmp_path("clgooglenet/peak.txt");
    clg_context *ctx = NULL;
    clg_status st = clg_context_create(NULL, &ctx);
    if (st == CLG_ERR_DEVICE_NOT_FOUND) {
        printf("SKIP: no OpenCL device: %s\n", clg_last_error());
        rmdir(dir);
        return;
    }
    ck_assert_int_eq(st, CLG_OK);
    const clg_device_info *d = clg_context_device(ctx);
    const char *bad[] = {"1e-300", "inf", "nan", "-5", "1e300", "12abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(peak, "w");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "%s\t%s|%s|%s|probe 2\n", bad[i], d->platform_name, d->device_name, d->driver_version);
        fclose(f);
        double gflops = 0;
        ck_assert_int_eq(clg_context_peak_gflops(ctx, &gflops), CLG_OK);
        ck_assert_msg(gflops >= 1e-3 && gflops <= 1e7, "%s gave %g", bad[i], gflops);
    }
    clg_context_destroy(ctx);
    unlink(peak);
    ck_assert_int_eq(rmdir(dir), 0);
    unsetenv("XDG_CACHE_HOME");
}
END_TEST

int main(void)
{
    const clg_test_case cases[] = {
        {"files:escape_controls_and_invalid_utf8", escape_controls_and_invalid_utf8},
        {"files:escape_library_messages", escape_library_messages},
        {"files:readers_refuse_special_files", readers_refuse_special_files},
        {"files:readers_refuse_oversized_files", readers_refuse_oversized_files},
        {"files:tensors_over_the_limit_are_refused", tensors_over_the_limit_are_refused},
        {"files:failed_writes_keep_existing_files", failed_writes_keep_existing_files},
        {"files:writes_replace_atomically", writes_replace_atomically},
        {"files:caches_that_are_not_files_are_ignored", caches_that_are_not_files_are_ignored},
        {"files:peak_values_out_of_range_are_remeasured", peak_values_out_of_range_are_remeasured},
    };
    return clg_run_cases("files", cases, sizeof cases / sizeof cases[0], 120, setup, teardown);
}
