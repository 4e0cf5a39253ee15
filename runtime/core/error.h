/* Status plumbing: record a message for clg_last_error() and return. */
#ifndef CLG_ERROR_H
#define CLG_ERROR_H

#include "clgooglenet.h"
#include "fail.h" /* clg_fail, CLG_TRY: defined in error.c */

/* clg_fail, then a newline and a multi-line log (a build log), escaped but
   for its newlines. */
clg_status clg_fail_log(clg_status status, const char *log, const char *fmt, ...) CLG_PRINTF(3, 4);

/* Prints "clgooglenet: warning: MESSAGE" (escaped) on stderr: for what the
   library works around, such as a cache it ignores. Never changes the last error. */
void clg_warn(const char *fmt, ...) CLG_PRINTF(1, 2);

/* Prefixes the current last error with more context ("loading x: ..."); keeps its node. */
clg_status clg_fail_context(clg_status status, const char *fmt, ...) CLG_PRINTF(2, 3);

/*
 * A failure of one model node: the message "node 'NODE' (OP): WHAT" (OP
 * NULL: "node 'NODE': WHAT"), and NODE as the error's node
 * (clg_last_error_node). Every other clg_fail* but clg_fail_context
 * clears the node.
 */
clg_status clg_fail_node(clg_status status, const char *node, const char *op, const char *fmt, ...)
    CLG_PRINTF(4, 5);

/* Prefixes the current last error with "node 'NODE' (OP)" and makes NODE its node. */
clg_status clg_fail_node_context(clg_status status, const char *node, const char *op);

/* OpenCL error code name, e.g. "CL_OUT_OF_RESOURCES". */
const char *clg_cl_error_name(int err);

#endif
