/* Pieces shared by the clgooglenet subcommands. */
#ifndef CLG_CLI_H
#define CLG_CLI_H

#include <stdio.h>

#include "clgooglenet.h"

enum { CLI_OK = 0, CLI_FAILURE = 1, CLI_USAGE = 2 };

/* Prints "clgooglenet: error: ..." on stderr; returns CLI_FAILURE. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the library's last error after a context line; returns CLI_FAILURE. */
int cli_status_error(clg_status st, const char *what);
/* Prints a usage error and a hint; returns CLI_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses a positive int option value; 0 on error (message printed). */
int cli_parse_count(const char *option, const char *text, long max, long *value);

/* Opens the device from --device or CLGOOGLENET_DEVICE and prints it on stderr.
   flags: CLG_CONTEXT_* (profiling for --trace). */
int cli_open_device(const char *spec, unsigned flags, clg_context **ctx);

/* --trace: makes a trace and attaches it to the model (nothing when path is NULL). */
int cli_trace_start(const char *path, clg_context *ctx, clg_model *model, clg_trace **trace);
/* Writes the trace JSON and prints the per-layer table on stderr. */
int cli_trace_finish(const char *path, clg_context *ctx, clg_trace *trace, double wall_ms);

/* Monotonic clock in milliseconds. */
double cli_now_ms(void);

int cli_bench(int argc, char **argv, const char *device_spec);

#endif
