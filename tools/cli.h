/* Pieces shared by the clgooglenet subcommands. */
#ifndef CLG_CLI_H
#define CLG_CLI_H

#include <stdio.h>

#include "clgooglenet.h"

enum { CLI_OK = 0, CLI_FAILURE = 1, CLI_USAGE = 2 };

/* Prints "clgooglenet: error: ..." on stderr; returns CLI_FAILURE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s escaped for printing (runtime/util/escape.h): names from models, tensors,
   metadata, file names and the environment. Four results stay valid at a time. */
const char *cli_esc(const char *s);
/* Prints the library's last error after a context line; returns CLI_FAILURE. */
int cli_status_error(clg_status st, const char *what);
/* cli_status_error for the CLI's own file reading and writing (util/,
   tools/idx.c), whose messages tools/cli_fail.c keeps. */
int cli_io_error(clg_status st, const char *what);
/* Prints a usage error and a hint; returns CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses a positive int option value; 0 on error (message printed). */
int cli_parse_count(const char *option, const char *text, long max, long *value);

/* Opens the device from --device or CLGOOGLENET_DEVICE and prints it on stderr.
   flags: CLG_CONTEXT_* (profiling for --trace). */
int cli_open_device(const char *spec, unsigned flags, clg_context **ctx);
/* The same with a tuning mode (bench --tune: CLG_TUNING_ON) and a number
   format (--precision; CLG_PRECISION_DEFAULT: CLGOOGLENET_PRECISION). */
int cli_open_device_with(const char *spec, unsigned flags, clg_tuning_mode tuning, clg_precision precision,
                         clg_context **ctx);

/* --precision fp32|fp16 into *out; 0 on error (message printed). */
int cli_parse_precision(const char *text, clg_precision *out);

/* The --precision option of infer, eval and bench (getopt value 'P'). */
#define CLI_PRECISION_LONG_OPTION {"precision", required_argument, NULL, 'P'}
#define CLI_PRECISION_HELP \
    "      --precision fp32|fp16       number format on the device (default fp32, or\n" \
    "                                  $CLGOOGLENET_PRECISION); fp16 needs cl_khr_fp16\n"

/* --trace: makes a trace and attaches it to the model (nothing when path is NULL). */
int cli_trace_start(const char *path, clg_context *ctx, clg_model *model, clg_trace **trace);
/* Writes the trace JSON and prints the per-layer table on stderr. */
int cli_trace_finish(const char *path, clg_context *ctx, clg_trace *trace, double wall_ms);

/* Monotonic clock in milliseconds. */
double cli_now_ms(void);

/* Environment defaults for the OpenCL CPU runtimes, set before any loads
   (cli_runtime_hints.c); the user's own settings win. */
void cli_runtime_hints(void);

int cli_bench(int argc, char **argv, const char *device_spec);
int cli_eval(int argc, char **argv, const char *device_spec);
int cli_conformance(int argc, char **argv, const char *device_spec);

/* ---- The bundled model and image inputs (cli_images.c) ---- */

#define CLI_MODEL_ENV "CLGOOGLENET_MODEL"
#define CLI_BUNDLED_MODEL "googlenet-fashion-mnist.onnx"

/* 1 when path names an ONNX model (ends in .onnx). */
int cli_is_model_path(const char *path);
/* 1 when path is a PNG or JPEG file, by extension or by content. */
int cli_is_image_path(const char *path);
/* The bundled model: $CLGOOGLENET_MODEL, else models/ of the source tree,
   else the installed copy. Prints an error when there is none. */
int cli_bundled_model(char *path, size_t size);
/* The images in samples/ next to the bundled model, sorted by name; free
   with cli_free_list. Prints an error when there are none. */
int cli_bundled_samples(char ***paths, size_t *count);
void cli_free_list(char **list, size_t count);
/* Preprocessing flags (infer, eval): getopt_long values and their table entries. */
enum {
    CLI_OPT_RESIZE_SHORTER = 0x100,
    CLI_OPT_CROP,
    CLI_OPT_MEAN,
    CLI_OPT_STD,
    CLI_OPT_SCALE,
    CLI_OPT_CHANNEL_ORDER,
    CLI_OPT_IMAGENET,
};
#define CLI_PREPROCESS_LONG_OPTIONS                                           \
    {"resize-shorter", required_argument, NULL, CLI_OPT_RESIZE_SHORTER},      \
    {"crop", required_argument, NULL, CLI_OPT_CROP},                          \
    {"mean", required_argument, NULL, CLI_OPT_MEAN},                          \
    {"std", required_argument, NULL, CLI_OPT_STD},                            \
    {"scale", required_argument, NULL, CLI_OPT_SCALE},                        \
    {"channel-order", required_argument, NULL, CLI_OPT_CHANNEL_ORDER},        \
    {"imagenet", no_argument, NULL, CLI_OPT_IMAGENET}

/* The flags given; each replaces a clgooglenet.* metadata value. */
typedef struct cli_preprocess_flags {
    int imagenet; /* --imagenet: the preset the other flags override */
    const char *value[CLI_OPT_IMAGENET - CLI_OPT_RESIZE_SHORTER]; /* per flag; NULL: not given */
} cli_preprocess_flags;

/* 1 when option (a getopt_long value) is one of the preprocessing flags. */
int cli_is_preprocess_flag(int option);
/* Records one; a malformed value is a usage error (message printed, CLI_USAGE). */
int cli_preprocess_flag(cli_preprocess_flags *flags, int option, const char *value);
/* The model's preprocessing with the flags in place of its metadata. */
int cli_preprocess(const clg_model *model, const cli_preprocess_flags *flags, clg_preprocess *pp);
/* Decodes and preprocesses image files (model metadata and flags) into one batch. */
int cli_load_images(const clg_model *model, const cli_preprocess_flags *flags, char *const *paths,
                    size_t count, clg_tensor **out);
/* Class names of the model, or NULL (indices are printed then); free() it. */
char **cli_class_names(const clg_model *model, size_t n_outputs);
/* Per image: its path and the top-K classes with softmax probabilities. */
int cli_print_classes(const clg_model *model, const clg_tensor *out, char *const *paths,
                      size_t n_paths, long top);
/* Index of the largest value (NaN never wins). */
size_t cli_argmax(const float *row, size_t n);

#endif
