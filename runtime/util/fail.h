/*
 * How util/ reports a failure: clg_fail records the message and returns the
 * status. util/ does not define it; each program that links it does, so
 * that a message lands where that program reads it: runtime/core/error.c in the
 * library (the thread's clg_last_error), tools/cli_fail.c in the CLI (which
 * links the shared library, whose error state it cannot write).
 */
#ifndef CLG_FAIL_H
#define CLG_FAIL_H

#include "clgooglenet.h"

#if defined(__GNUC__)
#define CLG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLG_PRINTF(a, b)
#endif

/* Stores the formatted message, escaped (runtime/util/escape.h), as this thread's
   last error; returns status. */
clg_status clg_fail(clg_status status, const char *fmt, ...) CLG_PRINTF(2, 3);

#define CLG_TRY(expr)                                                                             \
    do {                                                                                          \
        clg_status clg_try_status_ = (expr);                                                      \
        if (clg_try_status_ != CLG_OK) return clg_try_status_;                                    \
    } while (0)

#endif
