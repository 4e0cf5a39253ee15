/*
 * The CLI's clg_fail (runtime/util/fail.h). The CLI links the shared library, whose
 * error state it cannot write: failures of its own file reading and writing
 * (util/, tools/idx.c) are kept here instead, and cli_io_error prints them.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "escape.h"
#include "fail.h"

static _Thread_local char last_io_error[4096];

clg_status clg_fail(clg_status status, const char *fmt, ...)
{
    char raw[sizeof last_io_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    clg_escape(raw, last_io_error, sizeof last_io_error);
    return status;
}

int cli_io_error(clg_status st, const char *what)
{
    return cli_error("%s: %s", what, *last_io_error ? last_io_error : clg_status_to_string(st));
}
