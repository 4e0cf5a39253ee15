#include "trace.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "escape.h"
#include "safe_write.h"

struct clg_trace {
    clg_trace_event *events;
    size_t count, cap;
    int runs;
    char device[128];
};

clg_status clg_trace_create(clg_trace **out)
{
    if (!out) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_trace_create: out is NULL");
    *out = calloc(1, sizeof **out);
    return *out ? CLG_OK : clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory creating a trace");
}

void clg_trace_destroy(clg_trace *t)
{
    if (!t) return;
    free(t->events);
    free(t);
}

size_t clg_trace_event_count(const clg_trace *t) { return t ? t->count : 0; }

const clg_trace_event *clg_trace_events(const clg_trace *t, size_t *count)
{
    *count = t ? t->count : 0;
    return t ? t->events : NULL;
}

void clg_trace_begin_run(clg_trace *t, const char *device_name)
{
    t->runs++;
    snprintf(t->device, sizeof t->device, "%s", device_name);
}

clg_status clg_trace_add(clg_trace *t, clg_trace_event *e, cl_event ev)
{
    const cl_profiling_info what[4] = {CL_PROFILING_COMMAND_QUEUED, CL_PROFILING_COMMAND_SUBMIT,
                                       CL_PROFILING_COMMAND_START, CL_PROFILING_COMMAND_END};
    cl_ulong *slot[4] = {&e->queued, &e->submit, &e->start, &e->end};
    for (int i = 0; i < 4; i++) {
        cl_int err = clGetEventProfilingInfo(ev, what[i], sizeof(cl_ulong), slot[i], NULL);
        if (err != CL_SUCCESS)
            return clg_fail(CLG_ERR_OPENCL, "clGetEventProfilingInfo failed: %s (%s; was the context made with CLG_CONTEXT_PROFILING?)",
                            clg_cl_error_name(err), e->name);
    }
    e->run = t->runs - 1;
    if (t->count == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 256;
        clg_trace_event *p = realloc(t->events, ncap * sizeof *p);
        if (!p) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory tracing");
        t->events = p;
        t->cap = ncap;
    }
    t->events[t->count++] = *e;
    return CLG_OK;
}

double clg_trace_total_ms(const clg_trace *t)
{
    double ns = 0;
    for (size_t i = 0; t && i < t->count; i++) ns += (double)(t->events[i].end - t->events[i].start);
    return ns / 1e6;
}

/* A JSON string; names come from the model, so bytes that are not valid
   UTF-8 are written as the text \xNN (as runtime/util/escape.h prints them). */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = clg_utf8_sequence(p);
        if (n == 0) {
            fprintf(f, "\\\\x%02x", *p++);
            continue;
        }
        if (n > 1) {
            if (p[0] == 0xc2 && p[1] < 0xa0) fprintf(f, "\\u%04x", p[1]); /* C1 control */
            else fwrite(p, 1, n, f);
            p += n;
            continue;
        }
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
        p++;
    }
    fputc('"', f);
}

static void sizes_text(const size_t *v, cl_uint n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (cl_uint i = 0; i < n && used + 24 < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%zu", i ? "x" : "", v[i]);
}

clg_status clg_trace_write_json(const clg_trace *t, const char *path)
{
    if (!t || !path) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_trace_write_json: NULL argument");
    clg_out_file out;
    CLG_TRY(clg_out_open(&out, path, "trace"));
    FILE *f = out.f;
    cl_ulong origin = 0;
    int lanes = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (i == 0 || t->events[i].queued < origin) origin = t->events[i].queued;
        if (t->events[i].lane + 1 > lanes) lanes = t->events[i].lane + 1;
    }
    fprintf(f, "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n");
    fprintf(f, "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 0, \"args\": {\"name\": ");
    char process[200];
    snprintf(process, sizeof process, "clgooglenet on %s", t->device);
    json_string(f, process);
    fprintf(f, "}}");
    for (int l = 0; l < lanes; l++)
        fprintf(f, ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": %d, \"args\": {\"name\": \"queue %d\"}}",
                l + 1, l);
    for (size_t i = 0; i < t->count; i++) {
        const clg_trace_event *e = &t->events[i];
        char global[64], local[64];
        sizes_text(e->global, e->work_dim, global, sizeof global);
        if (e->use_local) sizes_text(e->local, e->work_dim, local, sizeof local);
        else snprintf(local, sizeof local, "%s", e->work_dim ? "driver" : "");
        double dur_us = (double)(e->end - e->start) / 1e3;
        fprintf(f, ",\n{\"name\": ");
        json_string(f, e->name);
        fprintf(f, ", \"cat\": ");
        json_string(f, e->op);
        fprintf(f, ", \"ph\": \"X\", \"pid\": 1, \"tid\": %d, \"ts\": %.3f, \"dur\": %.3f, \"args\": {\"op\": ",
                e->lane + 1, (double)(e->start - origin) / 1e3, dur_us);
        json_string(f, e->op);
        fprintf(f, ", \"variant\": ");
        json_string(f, e->variant);
        if (e->program[0]) {
            fprintf(f, ", \"program\": ");
            json_string(f, e->program);
            fprintf(f, ", \"options\": ");
            json_string(f, e->options);
            fprintf(f, ", \"kernel\": ");
            json_string(f, e->kernel);
        }
        fprintf(f, ", \"global\": \"%s\", \"local\": \"%s\", \"gflop\": %.6f, \"bytes\": %.0f, "
                   "\"gflops\": %.3f, \"run\": %d, \"queued_us\": %.3f, \"submit_us\": %.3f, "
                   "\"submit_to_start_us\": %.3f, \"first_launch\": %s}}",
                global, local, e->flops / 1e9, e->bytes, dur_us > 0 ? e->flops / (dur_us * 1e3) : 0.0,
                e->run, (double)(e->queued - origin) / 1e3, (double)(e->submit - origin) / 1e3,
                (double)(e->start - e->submit) / 1e3, e->first_launch ? "true" : "false");
    }
    fprintf(f, "\n]}\n");
    return clg_out_commit(&out);
}

typedef struct layer_row {
    const clg_trace_event *first;
    size_t calls;
    double ns, flops;
} layer_row;

static int by_time(const void *a, const void *b)
{
    double x = ((const layer_row *)a)->ns, y = ((const layer_row *)b)->ns;
    return (x < y) - (x > y);
}

clg_status clg_trace_print_table(const clg_trace *t, FILE *out, double peak)
{
    if (!t || !out) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_trace_print_table: NULL argument");
    layer_row *rows = calloc(t->count ? t->count : 1, sizeof *rows);
    if (!rows) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    size_t n = 0;
    double total_ns = 0, total_flops = 0;
    /* One row per node and variant, summed over runs. */
    for (size_t i = 0; i < t->count; i++) {
        const clg_trace_event *e = &t->events[i];
        size_t r = 0;
        while (r < n && (strcmp(rows[r].first->name, e->name) || strcmp(rows[r].first->variant, e->variant))) r++;
        if (r == n) rows[n++].first = e;
        rows[r].calls++;
        rows[r].ns += (double)(e->end - e->start);
        rows[r].flops += e->flops;
        total_ns += (double)(e->end - e->start);
        total_flops += e->flops;
    }
    qsort(rows, n, sizeof *rows, by_time);
    fprintf(out, "%-32s %-18s %-24s %6s %10s %7s %9s%s\n", "node", "op", "variant", "calls", "total ms",
            "share", "GFLOP/s", peak > 0 ? "  of peak" : "");
    for (size_t r = 0; r < n; r++) {
        double ms = rows[r].ns / 1e6, gflops = rows[r].ns > 0 ? rows[r].flops / rows[r].ns : 0;
        /* Escaped and cut at whole characters: names come from the model. */
        char name[33], op[19], variant[25];
        clg_escape(rows[r].first->name, name, sizeof name);
        clg_escape(rows[r].first->op, op, sizeof op);
        clg_escape(rows[r].first->variant, variant, sizeof variant);
        fprintf(out, "%-32s %-18s %-24s %6zu %10.3f %6.1f%% %9.2f", name, op, variant, rows[r].calls, ms,
                total_ns > 0 ? 100.0 * rows[r].ns / total_ns : 0.0, gflops);
        if (peak > 0) fprintf(out, "  %6.1f%%", 100.0 * gflops / peak);
        fputc('\n', out);
    }
    double total_gflops = total_ns > 0 ? total_flops / total_ns : 0;
    fprintf(out, "%-32s %-18s %-24s %6zu %10.3f %6.1f%% %9.2f", "total", "", "", t->count, total_ns / 1e6,
            100.0, total_gflops);
    if (peak > 0) fprintf(out, "  %6.1f%%", 100.0 * total_gflops / peak);
    fputc('\n', out);
    if (peak > 0) fprintf(out, "device peak (FMA, measured): %.1f GFLOP/s\n", peak);
    free(rows);
    return CLG_OK;
}
