/* Small public entry points: version, releasing library memory, trace text. */
#include <stdio.h>
#include <stdlib.h>

#include "error.h"

const char *clg_version(void) { return CLG_VERSION_STRING; }

void clg_free(void *ptr) { free(ptr); }

clg_status clg_trace_table(const clg_trace *trace, double peak_gflops, char **out)
{
    if (!out || !trace) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_trace_table: NULL argument");
    *out = NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "clg_trace_table: out of memory");
    clg_status st = clg_trace_print_table(trace, f, peak_gflops);
    if (fclose(f) != 0 && st == CLG_OK) st = clg_fail(CLG_ERR_OUT_OF_MEMORY, "clg_trace_table: out of memory");
    if (st != CLG_OK) {
        free(text);
        return st;
    }
    *out = text;
    return CLG_OK;
}
