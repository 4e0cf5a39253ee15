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

/* The command line of bench. */
typedef struct bench_args {
    const char *path, *trace_path;
    long batch, runs, warmup;
    int json, tune, help;
    clg_precision precision;
} bench_args;

/* Parses the options into *a; CLI_OK with a->help set when --help was printed. */
static int parse_args(int argc, char **argv, bench_args *a)
{
    static const struct option options[] = {
        {"batch", required_argument, NULL, 'b'}, {"runs", required_argument, NULL, 'r'},
        {"warmup", required_argument, NULL, 'w'}, {"json", no_argument, NULL, 'j'},
        {"trace", required_argument, NULL, 't'},  {"help", no_argument, NULL, 'h'},
        {"tune", no_argument, NULL, 'T'},         CLI_PRECISION_LONG_OPTION,
        {NULL, 0, NULL, 0}};
    *a = (bench_args){.batch = 1, .runs = 20, .warmup = 3};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "b:r:w:t:h", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            printf("usage: clgooglenet bench MODEL [--batch N] [--runs N] [--warmup N] [--json]\n"
                   "                         [--trace FILE.json] [--tune] [--precision fp32|fp16]\n"
                   "Times MODEL on random input: median, min and max latency and images/s.\n"
                   "--tune first times the kernel candidates of every convolution shape this\n"
                   "device has no tuning entry for, keeps the fastest correct one in the tuning\n"
                   "cache and then benchmarks with them; later runs of any model use the cached\n"
                   "choices (CLGOOGLENET_TUNE=0 ignores them). Without it nothing is timed while\n"
                   "planning, so a first run is never slower. --precision fp16 keeps weights and\n"
                   "activations in half (devices with cl_khr_fp16; it takes the heuristics, never\n"
                   "the tuning cache).\n");
            a->help = 1;
            return CLI_OK;
        case 'b': if (!cli_parse_count("--batch", optarg, 65536, &a->batch)) return CLI_USAGE; break;
        case 'r': if (!cli_parse_count("--runs", optarg, 1000000, &a->runs)) return CLI_USAGE; break;
        case 'w':
            if (strcmp(optarg, "0") == 0) a->warmup = 0;
            else if (!cli_parse_count("--warmup", optarg, 1000000, &a->warmup)) return CLI_USAGE;
            break;
        case 'j': a->json = 1; break;
        case 'T': a->tune = 1; break;
        case 'P': if (!cli_parse_precision(optarg, &a->precision)) return CLI_USAGE; break;
        case 't': a->trace_path = optarg; break;
        default: return cli_usage_error("bench: unknown or incomplete option");
        }
    }
    if (argc - optind != 1) return cli_usage_error("bench needs exactly one MODEL");
    a->path = argv[optind];
    return CLI_OK;
}

/* What bench holds while it runs; bench_release frees it. */
typedef struct bench_state {
    clg_context *ctx;
    clg_model *model;
    clg_tensor *inputs[64];
    size_t n_in, n_out;
    clg_trace *trace;
    double *times; /* one per timed run */
    double cold_ms;
} bench_state;

/* Opens the device, loads the model and makes its random inputs. */
static int load(const bench_args *a, const char *device_spec, bench_state *b)
{
    if (cli_open_device_with(device_spec, a->trace_path ? CLG_CONTEXT_PROFILING : 0,
                             a->tune ? CLG_TUNING_ON : CLG_TUNING_DEFAULT, a->precision, &b->ctx) != CLI_OK)
        return CLI_FAILURE;
    clg_status st = clg_model_load(b->ctx, a->path, &b->model);
    if (st != CLG_OK) return cli_status_error(st, "cannot load model");
    b->n_in = clg_model_input_count(b->model);
    b->n_out = clg_model_output_count(b->model);
    if (b->n_in > 64 || b->n_out > 64) return cli_error("%s: too many inputs or outputs for bench", a->path);
    for (size_t i = 0; i < b->n_in; i++)
        if (make_input(b->model, i, a->batch, &b->inputs[i]) != CLI_OK) return CLI_FAILURE;
    return CLI_OK;
}

/* The first run (cold start since t_start), the warm-up and the timed runs. */
static int time_runs(const bench_args *a, double t_start, bench_state *b)
{
    if (run_once(b->model, b->inputs, b->n_in, b->n_out) != CLI_OK) return CLI_FAILURE;
    b->cold_ms = cli_now_ms() - t_start;
    for (long i = 0; i < a->warmup; i++)
        if (run_once(b->model, b->inputs, b->n_in, b->n_out) != CLI_OK) return CLI_FAILURE;
    /* Only the timed runs are traced: warm-up and compile stay out of the table. */
    if (cli_trace_start(a->trace_path, b->ctx, b->model, &b->trace) != CLI_OK) return CLI_FAILURE;
    double wall_ms = 0;
    for (long i = 0; i < a->runs; i++) {
        double t0 = cli_now_ms();
        if (run_once(b->model, b->inputs, b->n_in, b->n_out) != CLI_OK) return CLI_FAILURE;
        b->times[i] = cli_now_ms() - t0;
        wall_ms += b->times[i];
    }
    return cli_trace_finish(a->trace_path, b->ctx, b->trace, wall_ms);
}

typedef struct latency {
    double median, min, max;
} latency;

static int latency_of(const double *times, long runs, latency *out)
{
    double *sorted = malloc((size_t)runs * sizeof *sorted);
    if (!sorted) return cli_error("out of memory");
    memcpy(sorted, times, (size_t)runs * sizeof *sorted);
    qsort(sorted, (size_t)runs, sizeof *sorted, compare_double);
    out->median = runs % 2 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
    out->min = sorted[0];
    out->max = sorted[runs - 1];
    free(sorted);
    return CLI_OK;
}

/* s, escaped, as the inside of a JSON string: valid UTF-8, no controls. */
static void print_json_text(const char *s)
{
    for (const char *p = cli_esc(s); *p; p++)
        if (*p == '"' || *p == '\\') printf("\\%c", *p);
        else if ((unsigned char)*p >= 0x20) putchar(*p);
}

static void print_table(const bench_args *a, const bench_state *b, const latency *l, const clg_memory_info *mi)
{
    printf("model          %s\n", cli_esc(a->path));
    printf("batch          %ld\n", a->batch);
    printf("precision      %s\n", clg_context_precision(b->ctx) == CLG_PRECISION_FP16 ? "fp16" : "fp32");
    printf("cold start     %.1f ms (process start to first result, compile%s included)\n", b->cold_ms,
           a->tune ? " and tuning" : "");
    printf("latency        median %.3f ms, min %.3f ms, max %.3f ms over %ld runs\n", l->median, l->min, l->max,
           a->runs);
    printf("throughput     %.1f img/s\n", a->batch * 1000.0 / l->median);
    printf("device memory  %.2f MiB (weights %.2f MiB, activations %.2f MiB planned, %.2f MiB naive)\n",
           clg_model_device_bytes(b->model) / 1048576.0, mi->weight_bytes / 1048576.0,
           mi->activation_bytes / 1048576.0, mi->naive_activation_bytes / 1048576.0);
}

static void print_json(const bench_args *a, const bench_state *b, const latency *l, const clg_memory_info *mi)
{
    printf("{\"model\": \"");
    print_json_text(a->path);
    printf("\", \"device\": \"");
    print_json_text(clg_context_device(b->ctx)->device_name);
    printf("\", \"precision\": \"%s\"", clg_context_precision(b->ctx) == CLG_PRECISION_FP16 ? "fp16" : "fp32");
    printf(", \"batch\": %ld, \"runs\": %ld, \"warmup\": %ld, \"tuned\": %s, \"cold_start_ms\": %.3f, "
           "\"latency_ms_median\": %.4f, \"latency_ms_min\": %.4f, \"latency_ms_max\": %.4f, "
           "\"throughput_img_s\": %.3f, \"device_memory_bytes\": %llu, \"activation_bytes\": %llu, "
           "\"naive_activation_bytes\": %llu, \"latencies_ms\": [",
           a->batch, a->runs, a->warmup, a->tune ? "true" : "false", b->cold_ms, l->median, l->min, l->max,
           a->batch * 1000.0 / l->median, (unsigned long long)clg_model_device_bytes(b->model),
           (unsigned long long)mi->activation_bytes, (unsigned long long)mi->naive_activation_bytes);
    for (long i = 0; i < a->runs; i++) printf("%s%.4f", i ? ", " : "", b->times[i]);
    printf("]}\n");
}

static void bench_release(bench_state *b)
{
    for (size_t i = 0; i < 64; i++) clg_tensor_destroy(b->inputs[i]);
    free(b->times);
    clg_model_destroy(b->model);
    clg_trace_destroy(b->trace);
    clg_context_destroy(b->ctx);
}

int cli_bench(int argc, char **argv, const char *device_spec)
{
    double t_start = cli_now_ms();
    bench_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK || a.help) return rc;
    bench_state b = {.times = calloc((size_t)a.runs, sizeof(double))};
    if (!b.times) return cli_error("out of memory");
    latency l = {0, 0, 0};
    rc = load(&a, device_spec, &b);
    if (rc == CLI_OK) rc = time_runs(&a, t_start, &b);
    if (rc == CLI_OK) rc = latency_of(b.times, a.runs, &l);
    if (rc == CLI_OK) {
        clg_memory_info mi;
        clg_model_memory(b.model, &mi);
        print_table(&a, &b, &l, &mi);
        if (a.json) print_json(&a, &b, &l, &mi);
    }
    bench_release(&b);
    return rc == CLI_OK ? CLI_OK : CLI_FAILURE;
}
