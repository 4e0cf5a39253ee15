/* --trace FILE.json: profiling context, then the JSON file and a per-layer table. */
#include "cli.h"

int cli_trace_start(const char *path, clg_context *ctx, clg_model *model, clg_trace **trace)
{
    *trace = NULL;
    if (!path) return CLI_OK;
    clg_status st = clg_trace_create(trace);
    if (st == CLG_OK) st = clg_model_set_trace(model, *trace);
    (void)ctx;
    return st == CLG_OK ? CLI_OK : cli_status_error(st, "cannot trace");
}

int cli_trace_finish(const char *path, clg_context *ctx, clg_trace *trace, double wall_ms)
{
    if (!path || !trace) return CLI_OK;
    clg_status st = clg_trace_write_json(trace, path);
    if (st != CLG_OK) return cli_status_error(st, "cannot write the trace");
    clg_device_table_row row;
    clg_device_table_row_of(clg_context_device(ctx), &row);
    if (!row.timestamps) {
        fprintf(stderr, "clgooglenet: %s reports no usable profiling times (device table row '%s'): "
                        "no per-layer table; wall time of the traced runs %.3f ms\n",
                clg_context_device(ctx)->platform_name, row.name, wall_ms);
        fprintf(stderr, "clgooglenet: wrote %zu trace events to %s\n", clg_trace_event_count(trace), path);
        return CLI_OK;
    }
    double peak = 0;
    if (clg_context_peak_gflops(ctx, &peak) != CLG_OK) {
        fprintf(stderr, "clgooglenet: warning: could not measure the device peak: %s\n", cli_esc(clg_last_error()));
        peak = 0;
    }
    fputc('\n', stderr);
    clg_trace_print_table(trace, stderr, peak);
    fprintf(stderr, "device time of traced commands %.3f ms; wall time of the traced runs %.3f ms\n",
            clg_trace_total_ms(trace), wall_ms);
    fprintf(stderr, "clgooglenet: wrote %zu trace events to %s (open in https://ui.perfetto.dev)\n",
            clg_trace_event_count(trace), cli_esc(path));
    return CLI_OK;
}
