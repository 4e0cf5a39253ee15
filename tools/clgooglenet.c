/* clgooglenet: command-line front end of the library. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clgooglenet.h"
#include "escape.h"

static const char usage_text[] =
    "usage: clgooglenet [--help] [--version] COMMAND [ARGS]\n"
    "\n"
    "Run GoogLeNet / Inception ONNX models on an OpenCL device.\n"
    "\n"
    "commands:\n"
    "  devices                         list OpenCL devices and which one is selected\n"
    "  infer [MODEL] [INPUT...] [options]\n"
    "                                  run a model on .npy / .pb tensors or on images\n"
    "                                  (PNG, JPEG: one batch, preprocessed as the model's\n"
    "                                  metadata says); no MODEL.onnx: the bundled model;\n"
    "                                  no INPUT: the bundled sample images\n"
    "      -o, --output FILE.npy       write the first output as float32 .npy\n"
    "      -k, --top K                 print the K best classes per item (default 5)\n"
    "      -b, --batch N               repeat a batch-1 input N times\n"
    "      -t, --trace FILE.json       profile every command (Chrome trace JSON) and\n"
    "                                  print a per-layer table on stderr\n"
    CLI_PRECISION_HELP
    "    image preprocessing (each flag replaces a clgooglenet.* metadata value):\n"
    "      --resize-shorter N          resize the shorter side to N (aspect kept), then\n"
    "                                  center crop to the model's input size\n"
    "      --crop N|HxW                that crop (it must equal the input's size)\n"
    "      --scale X                   multiply pixel values by X first (default 1/255)\n"
    "      --mean A[,B,C]              subtract, one value or one per channel (default 0)\n"
    "      --std A[,B,C]               then divide (default 1)\n"
    "      --channel-order RGB|BGR     order of a 3-channel input (default RGB)\n"
    "      --imagenet                  torchvision's ImageNet recipe: --resize-shorter 256\n"
    "                                  --crop 224, scale 1/255, --mean 0.485,0.456,0.406\n"
    "                                  --std 0.229,0.224,0.225, RGB; flags given with it win\n"
    "  eval [MODEL] [options]          top-1 accuracy on the Fashion-MNIST test set\n"
    "      -n, --limit N               only the first N test images\n"
    "      -b, --batch N               images per run (default 64)\n"
    "      --data DIR                  where t10k-*-ubyte.gz are\n"
    "                                  (default /usr/share/datasets/fashion-mnist)\n"
    "      -p, --predictions FILE      write the predicted class of each image, one a line\n"
    "      --logits FILE.npy           write all outputs as float32 .npy\n"
    "      -t, --trace FILE.json       profile every command (see infer)\n"
    "      --precision fp32|fp16       as for infer; fp16 also runs fp32 and reports how\n"
    "                                  often the two agree on the top class\n"
    "      --resize-shorter, --crop, --scale, --mean, --std, --channel-order,\n"
    "      --imagenet                  preprocessing, as for infer\n"
    "  bench MODEL [options]           time a model on random input\n"
    "      -b, --batch N               batch size (default 1)\n"
    "      -r, --runs N                timed runs (default 20)\n"
    "      -w, --warmup N              untimed runs first (default 3)\n"
    "      --json                      print a JSON summary as the last line\n"
    "      -t, --trace FILE.json       profile the timed runs (see infer)\n"
    "      --precision fp32|fp16       as for infer\n"
    "      --tune                      time kernel candidates for convolution shapes not\n"
    "                                  in the tuning cache first, and keep the winners\n"
    "                                  for every later run on this device\n"
    "  conformance [DIR...] [options]  run ONNX's operator tests (libonnx-testdata; default\n"
    "                                  DIR /usr/share/libonnx-testdata/data): PASS, FAIL or\n"
    "                                  SKIP with the reason per test, counts per op\n"
    "      -f, --filter SUBSTR         only tests whose name contains SUBSTR (with a '/':\n"
    "                                  whose group/test_name does)\n"
    "      -r, --required FILE         tests that must pass, one group/test_name a line\n"
    "      -v, --verbose               print PASS lines too\n"
    "      --skip-missing              exit 77 when a DIR does not exist (meson's skip)\n"
    "\n"
    "common options:\n"
    "  -d, --device SPEC   device to use (overrides $" CLG_DEVICE_ENV ")\n"
    "\n"
    "The bundled model is $" CLI_MODEL_ENV " if set, else " CLI_BUNDLED_MODEL "\n"
    "in the source tree's models/ or its installed copy; its samples are in samples/\n"
    "next to it.\n"
    "\n"
    "device SPEC: an index from 'clgooglenet devices', P:D (platform:device),\n"
    "cpu, gpu, accelerator, or part of the platform or device name.\n"
    "A type picks the one the device table ranks first (PoCL, Intel's CPU runtime,\n"
    "rusticl); unset: the best GPU, else the best device, never a simulator.\n";

/* Messages name files, models and tensors: escaped as the library's are
   (runtime/util/escape.h), keeping the newlines of multi-line messages. */
static void print_message(const char *fmt, va_list ap)
{
    char raw[8192], text[8192];
    vsnprintf(raw, sizeof raw, fmt, ap);
    fputs(clg_escape_flags(raw, CLG_ESCAPE_KEEP_NEWLINES, text, sizeof text), stderr);
}

int cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("clgooglenet: error: ", stderr);
    va_start(ap, fmt);
    print_message(fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_FAILURE;
}

const char *cli_esc(const char *s)
{
    static char ring[4][CLG_ESCAPE_CAP];
    static unsigned next;
    return clg_escape(s, ring[next++ % 4], CLG_ESCAPE_CAP);
}

int cli_status_error(clg_status st, const char *what)
{
    const char *msg = clg_last_error();
    cli_error("%s: %s", what, *msg ? msg : clg_status_to_string(st));
    (void)st;
    return CLI_FAILURE;
}

int cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("clgooglenet: error: ", stderr);
    va_start(ap, fmt);
    print_message(fmt, ap);
    va_end(ap);
    fputs("\n(see clgooglenet --help)\n", stderr);
    return CLI_USAGE;
}

int cli_parse_count(const char *option, const char *text, long max, long *value)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < 1 || v > max) {
        cli_usage_error("%s expects a whole number from 1 to %ld, got '%s'", option, max, text);
        return 0;
    }
    *value = v;
    return 1;
}

double cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int cli_open_device(const char *spec, unsigned flags, clg_context **ctx)
{
    return cli_open_device_with(spec, flags, CLG_TUNING_DEFAULT, CLG_PRECISION_DEFAULT, ctx);
}

int cli_parse_precision(const char *text, clg_precision *out)
{
    if (!strcmp(text, "fp32")) *out = CLG_PRECISION_FP32;
    else if (!strcmp(text, "fp16")) *out = CLG_PRECISION_FP16;
    else {
        cli_usage_error("--precision expects fp32 or fp16, got '%s'", text);
        return 0;
    }
    return 1;
}

int cli_open_device_with(const char *spec, unsigned flags, clg_tuning_mode tuning, clg_precision precision,
                         clg_context **ctx)
{
    /* A bad CLGOOGLENET_* value is reported as such, not as a device failure. */
    clg_status st = clg_env_check();
    if (st != CLG_OK) return cli_status_error(st, "invalid setting");
    clg_context_options options;
    clg_context_options_init(&options);
    options.device = spec;
    options.flags = flags;
    options.tuning = tuning;
    options.precision = precision;
    st = clg_context_create_with_options(&options, ctx);
    if (st != CLG_OK) return cli_status_error(st, "cannot open an OpenCL device");
    const clg_device_info *d = clg_context_device(*ctx);
    const int half = clg_context_precision(*ctx) == CLG_PRECISION_FP16;
    const int half_math = clg_context_half_arithmetic(*ctx);
    fprintf(stderr, "clgooglenet: device %d: %s / %s (%s)%s\n", d->index, cli_esc(d->platform_name),
            cli_esc(d->device_name), cli_esc(d->driver_version),
            !half ? "" : half_math ? ", fp16" : ", fp16 data computed in float");
    if (half && half_math && d->fp16_emulated)
        fprintf(stderr,
                "clgooglenet: warning: %s has no half arithmetic (no AVX512-FP16 on this CPU) and "
                "CLGOOGLENET_HALF_MATH=half makes it compute in half through float conversions: several times "
                "slower than float math\n",
                cli_esc(d->device_name));
    return CLI_OK;
}

static const char *type_name(clg_device_type t)
{
    switch (t) {
    case CLG_DEVICE_CPU: return "cpu";
    case CLG_DEVICE_GPU: return "gpu";
    case CLG_DEVICE_ACCELERATOR: return "accelerator";
    default: return "other";
    }
}

static int cmd_devices(int argc, char **argv, const char *spec)
{
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: clgooglenet devices\nLists the OpenCL devices; '*' marks the one selected.\n");
        return CLI_OK;
    }
    if (argc > 1) return cli_usage_error("devices takes no arguments");
    clg_device_info *list;
    size_t count, chosen = 0;
    clg_status st = clg_devices_list(&list, &count);
    if (st != CLG_OK) return cli_status_error(st, "cannot list OpenCL devices");
    if (!spec) spec = getenv(CLG_DEVICE_ENV);
    int selected = clg_device_select(list, count, spec, &chosen) == CLG_OK;
    for (size_t i = 0; i < count; i++) {
        const clg_device_info *d = &list[i];
        printf("%s%d  [%d:%d] %s / %s\n", selected && i == chosen ? "* " : "  ", d->index,
               d->platform_index, d->device_index, cli_esc(d->platform_name), cli_esc(d->device_name));
        printf("      type %s, driver %s, %s\n", type_name(d->type), cli_esc(d->driver_version),
               cli_esc(d->opencl_c_version));
        printf("      %u compute units, %.1f GiB global memory, %.0f KiB local memory, fp16 %s\n",
               d->compute_units, d->global_memory_bytes / 1073741824.0,
               d->local_memory_bytes / 1024.0,
               d->fp16_emulated ? "yes (computed in float: no half arithmetic on this CPU)"
               : d->has_fp16   ? "yes"
                               : "no");
        clg_device_table_row row;
        clg_device_table_row_of(d, &row);
        printf("      device table: %s (%s)\n", row.name, row.why);
    }
    if (selected)
        printf("\n* selected by %s=%s\n", CLG_DEVICE_ENV, spec && *spec ? cli_esc(spec) : "(unset: best GPU, else best device)");
    else
        printf("\n%s=%s matches no device\n", CLG_DEVICE_ENV, cli_esc(spec));
    free(list);
    return selected ? CLI_OK : CLI_FAILURE;
}

/* Repeats a batch-1 tensor n times along dim 0. */
static int tile_batch(clg_tensor **t, long n, const char *path)
{
    clg_tensor *in = *t;
    if (in->rank < 1 || in->dims[0] == n) return CLI_OK;
    if (in->dims[0] != 1)
        return cli_error("%s: --batch %ld needs a batch-1 input, this one has batch %lld", path, n,
                         (long long)in->dims[0]);
    int64_t dims[CLG_MAX_RANK];
    memcpy(dims, in->dims, sizeof dims);
    dims[0] = n;
    clg_tensor *out;
    clg_status st = clg_tensor_create(in->rank, dims, &out);
    if (st != CLG_OK) return cli_status_error(st, path);
    size_t item = clg_tensor_element_count(in);
    for (long i = 0; i < n; i++) memcpy(out->data + (size_t)i * item, in->data, item * sizeof(float));
    clg_tensor_destroy(in);
    *t = out;
    return CLI_OK;
}

static void print_shape(const clg_tensor *t)
{
    printf("output shape: (");
    for (int i = 0; i < t->rank; i++) printf("%s%lld", i ? ", " : "", (long long)t->dims[i]);
    printf(")\n");
}

/* Prints, for each batch item, the K largest values and their indices. */
static void print_top(const clg_tensor *t, long k)
{
    size_t items = t->rank >= 1 ? (size_t)t->dims[0] : 1;
    size_t total = clg_tensor_element_count(t);
    size_t per = items ? total / items : 0;
    if ((size_t)k > per) k = (long)per;
    for (size_t b = 0; b < items; b++) {
        const float *row = t->data + b * per;
        printf("item %zu:", b);
        unsigned char *used = calloc(per ? per : 1, 1);
        for (long j = 0; j < k && used; j++) {
            size_t best = per;
            for (size_t c = 0; c < per; c++)
                if (!used[c] && (best == per || row[c] > row[best] || (isnan(row[best]) && !isnan(row[c]))))
                    best = c;
            used[best] = 1;
            printf("  %zu (%.4f)", best, row[best]);
        }
        free(used);
        printf("\n");
    }
}

/* The command line of infer: options, the model and the input files. */
typedef struct infer_args {
    const char *output, *trace_path, *model_path;
    long top, batch;
    clg_precision precision;
    cli_preprocess_flags flags;
    int help;
    char bundled[4096];
    char **files, **samples; /* samples: the bundled ones, when no file is given */
    size_t n_samples;
    int n_files, n_images;
} infer_args;

/* Parses the options into *a; CLI_OK with a->help set when --help was printed. */
static int parse_infer_options(int argc, char **argv, infer_args *a)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'}, {"top", required_argument, NULL, 'k'},
        {"batch", required_argument, NULL, 'b'},  {"help", no_argument, NULL, 'h'},
        {"trace", required_argument, NULL, 't'},  CLI_PRECISION_LONG_OPTION,
        CLI_PREPROCESS_LONG_OPTIONS,              {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:k:b:t:h", options, NULL)) != -1) {
        switch (c) {
        case 'P': if (!cli_parse_precision(optarg, &a->precision)) return CLI_USAGE; break;
        case 'o': a->output = optarg; break;
        case 'k': if (!cli_parse_count("--top", optarg, 1000000, &a->top)) return CLI_USAGE; break;
        case 'b': if (!cli_parse_count("--batch", optarg, 65536, &a->batch)) return CLI_USAGE; break;
        case 't': a->trace_path = optarg; break;
        case 'h':
            fputs(usage_text, stdout);
            a->help = 1;
            return CLI_OK;
        default:
            if (!cli_is_preprocess_flag(c))
                return cli_usage_error("infer: unknown or incomplete option");
            if (cli_preprocess_flag(&a->flags, c, optarg) != CLI_OK) return CLI_USAGE;
            break;
        }
    }
    return CLI_OK;
}

/* The model and the input files after the options (the bundled ones by default). */
static int find_infer_files(int argc, char **argv, infer_args *a)
{
    /* A first argument that is not an .onnx file is an input: the bundled model runs. */
    a->model_path = a->bundled;
    if (optind < argc && cli_is_model_path(argv[optind])) a->model_path = argv[optind++];
    else if (cli_bundled_model(a->bundled, sizeof a->bundled) != CLI_OK) return CLI_FAILURE;
    a->files = argv + optind;
    a->n_files = argc - optind;
    if (a->n_files == 0) {
        if (cli_bundled_samples(&a->samples, &a->n_samples) != CLI_OK) return CLI_FAILURE;
        a->files = a->samples;
        a->n_files = (int)a->n_samples;
    }
    for (int i = 0; i < a->n_files; i++) a->n_images += cli_is_image_path(a->files[i]);
    if (a->n_images && a->n_images != a->n_files)
        return cli_usage_error("infer: image files and tensor files cannot be mixed");
    return CLI_OK;
}

/* What infer holds while it runs; infer_release frees it. */
typedef struct infer_run {
    clg_context *ctx;
    clg_model *model;
    clg_tensor **inputs; /* one per file */
    clg_tensor *out[64];
    clg_trace *trace;
    size_t n_in, n_out;
} infer_run;

/* Reads the tensor files (not images: they need the model's preprocessing). */
static int load_tensor_files(const infer_args *a, infer_run *r)
{
    for (int i = 0; i < a->n_files && !a->n_images; i++) {
        clg_status st = clg_tensor_load(a->files[i], &r->inputs[i]);
        if (st != CLG_OK) return cli_status_error(st, "cannot read input");
        if (a->batch && tile_batch(&r->inputs[i], a->batch, a->files[i]) != CLI_OK) return CLI_FAILURE;
    }
    return CLI_OK;
}

/* Opens the device and the model and makes the inputs the model takes. */
static int open_model(const infer_args *a, const char *spec, infer_run *r)
{
    if (cli_open_device_with(spec, a->trace_path ? CLG_CONTEXT_PROFILING : 0, CLG_TUNING_DEFAULT, a->precision,
                             &r->ctx) != CLI_OK)
        return CLI_FAILURE;
    clg_status st = clg_model_load(r->ctx, a->model_path, &r->model);
    if (st != CLG_OK) return cli_status_error(st, "cannot load model");
    r->n_in = clg_model_input_count(r->model);
    r->n_out = clg_model_output_count(r->model);
    /* Images make one batch for a one-input model. */
    if (a->n_images) {
        if (cli_load_images(r->model, &a->flags, a->files, (size_t)a->n_files, &r->inputs[0]) != CLI_OK)
            return CLI_FAILURE;
        if (a->batch && tile_batch(&r->inputs[0], a->batch, a->files[0]) != CLI_OK) return CLI_FAILURE;
    } else if ((size_t)a->n_files != r->n_in) {
        return cli_usage_error("%s takes %zu input(s), %d file(s) given", a->model_path, r->n_in, a->n_files);
    }
    if (r->n_out > 64)
        return cli_error("%s has %zu outputs; at most 64 are supported", a->model_path, r->n_out);
    return CLI_OK;
}

/* One run, traced when asked; *wall_ms gets its time. */
static int run_model(const infer_args *a, infer_run *r, double *wall_ms)
{
    if (cli_trace_start(a->trace_path, r->ctx, r->model, &r->trace) != CLI_OK) return CLI_FAILURE;
    double t0 = cli_now_ms();
    clg_status st = clg_model_run(r->model, (const clg_tensor *const *)r->inputs, r->n_in, r->out, r->n_out);
    *wall_ms = cli_now_ms() - t0;
    return st == CLG_OK ? CLI_OK : cli_status_error(st, "inference failed");
}

/* The first output: to --output, as classes of the images, or as its top values. */
static int report_output(const infer_args *a, const infer_run *r)
{
    if (a->output) {
        /* A float16 output is written as float16, as the model declares it. */
        clg_io_info info;
        const clg_elem_type type =
            clg_model_output_info(r->model, 0, &info) == CLG_OK ? info.type : CLG_ELEM_FLOAT32;
        clg_status st = clg_tensor_save_npy_as(a->output, r->out[0], type);
        if (st != CLG_OK) return cli_status_error(st, "cannot write output");
        fprintf(stderr, "clgooglenet: wrote %s\n", cli_esc(a->output));
    } else if (a->n_images) {
        return cli_print_classes(r->model, r->out[0], a->files, (size_t)a->n_files, a->top);
    } else {
        print_shape(r->out[0]);
        print_top(r->out[0], a->top);
    }
    return CLI_OK;
}

static void infer_release(infer_args *a, infer_run *r)
{
    for (size_t i = 0; i < 64; i++) clg_tensor_destroy(r->out[i]);
    for (int i = 0; r->inputs && i < a->n_files; i++) clg_tensor_destroy(r->inputs[i]);
    free(r->inputs);
    cli_free_list(a->samples, a->n_samples);
    clg_model_destroy(r->model);
    clg_trace_destroy(r->trace);
    clg_context_destroy(r->ctx);
}

static int cmd_infer(int argc, char **argv, const char *spec)
{
    infer_args a = {.top = 5};
    infer_run r = {0};
    int rc = parse_infer_options(argc, argv, &a);
    if (rc != CLI_OK || a.help) return rc;
    rc = find_infer_files(argc, argv, &a);
    if (rc == CLI_OK && !(r.inputs = calloc((size_t)a.n_files, sizeof *r.inputs))) rc = cli_error("out of memory");
    if (rc == CLI_OK) rc = load_tensor_files(&a, &r);
    if (rc == CLI_OK) rc = open_model(&a, spec, &r);
    double wall_ms = 0;
    if (rc == CLI_OK) rc = run_model(&a, &r, &wall_ms);
    if (rc == CLI_OK) {
        /* The trace and the output are written independently: one failing does not lose the other. */
        int failed = cli_trace_finish(a.trace_path, r.ctx, r.trace, wall_ms) != CLI_OK;
        failed |= report_output(&a, &r) != CLI_OK;
        rc = failed ? CLI_FAILURE : CLI_OK;
    }
    infer_release(&a, &r);
    return rc == CLI_USAGE ? CLI_USAGE : rc == CLI_OK ? CLI_OK : CLI_FAILURE;
}

int main(int argc, char **argv)
{
    cli_runtime_hints();
    const char *device = NULL;
    int i = 1;
    /* Global options come before the command. */
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage_text, stdout);
            return CLI_OK;
        }
        if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
            printf("clgooglenet %s\n", CLG_VERSION_STRING);
            return CLI_OK;
        }
        if ((!strcmp(argv[i], "-d") || !strcmp(argv[i], "--device")) && i + 1 < argc) {
            device = argv[++i];
            continue;
        }
        if (!strncmp(argv[i], "--device=", 9)) {
            device = argv[i] + 9;
            continue;
        }
        return cli_usage_error("unknown option '%s'", argv[i]);
    }
    if (i >= argc) {
        fputs(usage_text, stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[i];
    int sub_argc = argc - i;
    char **sub_argv = argv + i;
    if (!strcmp(cmd, "devices")) return cmd_devices(sub_argc, sub_argv, device);
    if (!strcmp(cmd, "infer")) return cmd_infer(sub_argc, sub_argv, device);
    if (!strcmp(cmd, "bench")) return cli_bench(sub_argc, sub_argv, device);
    if (!strcmp(cmd, "eval")) return cli_eval(sub_argc, sub_argv, device);
    if (!strcmp(cmd, "conformance")) return cli_conformance(sub_argc, sub_argv, device);
    if (!strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    return cli_usage_error("unknown command '%s'", cmd);
}
