/* clgooglenet bench: cold start, warm latency and throughput on random input. */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Random input in [0, 1) with the model's shape; symbolic dim 0 is the batch. */
static int make_input(const clg_model *model, size_t i, long batch, clg_tensor **out)
{
    clg_io_info info;
    clg_status st = clg_model_input_info(model, i, &info);
    if (st != CLG_OK) return cli_status_error(st, "model input");
    if (info.rank < 1) return cli_error("input '%s' has no known shape; bench needs one", info.name);
    int64_t dims[CLG_MAX_RANK];
    for (int d = 0; d < info.rank; d++) {
        dims[d] = d == 0 ? batch : info.dims[d];
        if (dims[d] < 0)
            return cli_error("input '%s' has a symbolic dimension %d; bench needs a fixed shape", info.name, d);
    }
    /* A shape over the host tensor limit is refused from its size, before allocating. */
    st = clg_tensor_create(info.rank, dims, out);
    if (st != CLG_OK) return cli_status_error(st, "input tensor");
    uint32_t state = 12345u + (uint32_t)i;
    size_t n = clg_tensor_element_count(*out);
    for (size_t k = 0; k < n; k++) {
        state = state * 1664525u + 1013904223u;
        (*out)->data[k] = (float)(state >> 8) / 16777216.0f;
    }
    return CLI_OK;
}

static int run_once(clg_model *model, clg_tensor **inputs, size_t n_in, size_t n_out)
{
    clg_tensor *outs[64] = {NULL};
    clg_status st = clg_model_run(model, (const clg_tensor *const *)inputs, n_in, outs, n_out);
    for (size_t i = 0; i < n_out; i++) clg_tensor_destroy(outs[i]);
    return st == CLG_OK ? CLI_OK : cli_status_error(st, "inference failed");
}

int cli_bench(int argc, char **argv, const char *device_spec)
{
    double t_start = cli_now_ms();
    static const struct option options[] = {
        {"batch", required_argument, NULL, 'b'}, {"runs", required_argument, NULL, 'r'},
        {"warmup", required_argument, NULL, 'w'}, {"json", no_argument, NULL, 'j'},
        {"trace", required_argument, NULL, 't'},  {"help", no_argument, NULL, 'h'},
        {"tune", no_argument, NULL, 'T'},         {NULL, 0, NULL, 0}};
    const char *trace_path = NULL;
    long batch = 1, runs = 20, warmup = 3;
    int json = 0, tune = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "b:r:w:t:h", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            printf("usage: clgooglenet bench MODEL [--batch N] [--runs N] [--warmup N] [--json]\n"
                   "                         [--trace FILE.json] [--tune]\n"
                   "Times MODEL on random input: median, min and max latency and images/s.\n"
                   "--tune first times the kernel candidates of every convolution shape this\n"
                   "device has no tuning entry for, keeps the fastest correct one in the tuning\n"
                   "cache and then benchmarks with them; later runs of any model use the cached\n"
                   "choices (CLGOOGLENET_TUNE=0 ignores them). Without it nothing is timed while\n"
                   "planning, so a first run is never slower.\n");
            return CLI_OK;
        case 'b': if (!cli_parse_count("--batch", optarg, 65536, &batch)) return CLI_USAGE; break;
        case 'r': if (!cli_parse_count("--runs", optarg, 1000000, &runs)) return CLI_USAGE; break;
        case 'w':
            if (strcmp(optarg, "0") == 0) warmup = 0;
            else if (!cli_parse_count("--warmup", optarg, 1000000, &warmup)) return CLI_USAGE;
            break;
        case 'j': json = 1; break;
        case 'T': tune = 1; break;
        case 't': trace_path = optarg; break;
        default: return cli_usage_error("bench: unknown or incomplete option");
        }
    }
    if (argc - optind != 1) return cli_usage_error("bench needs exactly one MODEL");
    const char *path = argv[optind];

    clg_context *ctx = NULL;
    clg_model *model = NULL;
    clg_tensor *inputs[64] = {NULL};
    clg_trace *trace = NULL;
    double *times = calloc((size_t)runs, sizeof *times);
    int rc = CLI_FAILURE;
    size_t n_in = 0, n_out = 0;
    if (!times) return cli_error("out of memory");
    if (cli_open_device_tuning(device_spec, trace_path ? CLG_CONTEXT_PROFILING : 0,
                               tune ? CLG_TUNING_ON : CLG_TUNING_DEFAULT, &ctx) != CLI_OK)
        goto done;
    clg_status st = clg_model_load(ctx, path, &model);
    if (st != CLG_OK) {
        cli_status_error(st, "cannot load model");
        goto done;
    }
    n_in = clg_model_input_count(model);
    n_out = clg_model_output_count(model);
    if (n_in > 64 || n_out > 64) {
        cli_error("%s: too many inputs or outputs for bench", path);
        goto done;
    }
    for (size_t i = 0; i < n_in; i++)
        if (make_input(model, i, batch, &inputs[i]) != CLI_OK) goto done;

    if (run_once(model, inputs, n_in, n_out) != CLI_OK) goto done;
    double cold_ms = cli_now_ms() - t_start;
    for (long i = 0; i < warmup; i++)
        if (run_once(model, inputs, n_in, n_out) != CLI_OK) goto done;
    /* Only the timed runs are traced: warm-up and compile stay out of the table. */
    if (cli_trace_start(trace_path, ctx, model, &trace) != CLI_OK) goto done;
    double wall_ms = 0;
    for (long i = 0; i < runs; i++) {
        double t0 = cli_now_ms();
        if (run_once(model, inputs, n_in, n_out) != CLI_OK) goto done;
        times[i] = cli_now_ms() - t0;
        wall_ms += times[i];
    }
    if (cli_trace_finish(trace_path, ctx, trace, wall_ms) != CLI_OK) goto done;
    double *sorted = malloc((size_t)runs * sizeof *sorted);
    if (!sorted) {
        cli_error("out of memory");
        goto done;
    }
    memcpy(sorted, times, (size_t)runs * sizeof *sorted);
    qsort(sorted, (size_t)runs, sizeof *sorted, compare_double);
    double median = runs % 2 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
    double min = sorted[0], max = sorted[runs - 1];
    free(sorted);
    double throughput = batch * 1000.0 / median;
    uint64_t mem = clg_model_device_bytes(model);
    const clg_device_info *dev = clg_context_device(ctx);

    printf("model          %s\n", cli_esc(path));
    printf("batch          %ld\n", batch);
    printf("cold start     %.1f ms (process start to first result, compile%s included)\n", cold_ms,
           tune ? " and tuning" : "");
    printf("latency        median %.3f ms, min %.3f ms, max %.3f ms over %ld runs\n", median, min, max, runs);
    printf("throughput     %.1f img/s\n", throughput);
    clg_memory_info mi;
    clg_model_memory(model, &mi);
    printf("device memory  %.2f MiB (weights %.2f MiB, activations %.2f MiB planned, %.2f MiB naive)\n",
           mem / 1048576.0, mi.weight_bytes / 1048576.0, mi.activation_bytes / 1048576.0,
           mi.naive_activation_bytes / 1048576.0);
    if (json) {
        printf("{\"model\": \"");
        for (const char *p = cli_esc(path); *p; p++) /* escaped: valid UTF-8, no controls */
            if (*p == '"' || *p == '\\') printf("\\%c", *p);
            else if ((unsigned char)*p >= 0x20) putchar(*p);
        printf("\", \"device\": \"");
        for (const char *p = cli_esc(dev->device_name); *p; p++)
            if (*p == '"' || *p == '\\') printf("\\%c", *p);
            else if ((unsigned char)*p >= 0x20) putchar(*p);
        printf("\", \"batch\": %ld, \"runs\": %ld, \"warmup\": %ld, \"tuned\": %s, \"cold_start_ms\": %.3f, "
               "\"latency_ms_median\": %.4f, \"latency_ms_min\": %.4f, \"latency_ms_max\": %.4f, "
               "\"throughput_img_s\": %.3f, \"device_memory_bytes\": %llu, \"activation_bytes\": %llu, "
               "\"naive_activation_bytes\": %llu, \"latencies_ms\": [",
               batch, runs, warmup, tune ? "true" : "false", cold_ms, median, min, max, throughput,
               (unsigned long long)mem,
               (unsigned long long)mi.activation_bytes, (unsigned long long)mi.naive_activation_bytes);
        for (long i = 0; i < runs; i++) printf("%s%.4f", i ? ", " : "", times[i]);
        printf("]}\n");
    }
    rc = CLI_OK;
done:
    for (size_t i = 0; i < 64; i++) clg_tensor_destroy(inputs[i]);
    free(times);
    clg_model_destroy(model);
    clg_trace_destroy(trace);
    clg_context_destroy(ctx);
    return rc;
}
