/*
 * clgooglenet eval: top-1 accuracy of a model on the Fashion-MNIST test set
 * (IDX files), preprocessed exactly like image inputs (the model's metadata
 * and the same flags).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "idx.h"
#include "safe_write.h"

#define DEFAULT_DATA_DIR "/usr/share/datasets/fashion-mnist"
#define IMAGES_FILE "t10k-images-idx3-ubyte"
#define LABELS_FILE "t10k-labels-idx1-ubyte"

typedef struct eval_options {
    const char *model, *data, *predictions, *logits, *trace;
    long limit, batch;
    clg_precision precision;
    cli_preprocess_flags flags;
} eval_options;

/* What the run collects. */
typedef struct eval_result {
    size_t n, classes, correct;
    char **names;       /* class names, or NULL */
    size_t *confusion; /* classes x classes: [true][predicted] */
    int *predicted;
    int want_logits;
    clg_tensor *logits; /* [n, classes] when --logits */
    double seconds;
} eval_result;

static int parse_options(int argc, char **argv, eval_options *o)
{
    static const struct option options[] = {
        {"limit", required_argument, NULL, 'n'},       {"batch", required_argument, NULL, 'b'},
        {"data", required_argument, NULL, 'D'},        {"trace", required_argument, NULL, 't'},
        {"predictions", required_argument, NULL, 'p'}, {"logits", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},              CLI_PRECISION_LONG_OPTION,
        CLI_PREPROCESS_LONG_OPTIONS,
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    o->data = DEFAULT_DATA_DIR;
    o->batch = 64;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:b:t:p:h", options, NULL)) != -1) {
        switch (c) {
        case 'n': if (!cli_parse_count("--limit", optarg, 100000000, &o->limit)) return CLI_USAGE; break;
        case 'b': if (!cli_parse_count("--batch", optarg, 65536, &o->batch)) return CLI_USAGE; break;
        case 'D': o->data = optarg; break;
        case 't': o->trace = optarg; break;
        case 'p': o->predictions = optarg; break;
        case 'L': o->logits = optarg; break;
        case 'P': if (!cli_parse_precision(optarg, &o->precision)) return CLI_USAGE; break;
        case 'h':
            printf("usage: clgooglenet eval [MODEL] [--limit N] [--batch N] [--data DIR]\n"
                   "                        [--predictions FILE] [--logits FILE.npy] [--trace FILE]\n"
                   "                        [--precision fp32|fp16]\n"
                   "                        [--imagenet] [--resize-shorter N] [--crop N|HxW]\n"
                   "                        [--scale X] [--mean A[,B,C]] [--std A[,B,C]]\n"
                   "                        [--channel-order RGB|BGR]\n"
                   "(see clgooglenet --help)\n");
            return -1;
        default:
            if (!cli_is_preprocess_flag(c))
                return cli_usage_error("eval: unknown or incomplete option");
            if (cli_preprocess_flag(&o->flags, c, optarg) != CLI_OK) return CLI_USAGE;
            break;
        }
    }
    if (argc - optind > 1) return cli_usage_error("eval takes at most one MODEL");
    if (argc - optind == 1) o->model = argv[optind];
    return CLI_OK;
}

/* DIR/NAME.gz, else DIR/NAME (uncompressed). */
static int find_data_file(const char *dir, const char *name, char *path, size_t size)
{
    struct stat sb;
    snprintf(path, size, "%s/%s.gz", dir, name);
    if (stat(path, &sb) == 0) return CLI_OK;
    snprintf(path, size, "%s/%s", dir, name);
    if (stat(path, &sb) == 0) return CLI_OK;
    return cli_error("the Fashion-MNIST test set is not in %s (no %s.gz): install Debian's "
                     "dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass "
                     "--data DIR",
                     dir, name);
}

static int load_dataset(const char *dir, clg_idx **images, clg_idx **labels)
{
    char path[4096];
    if (find_data_file(dir, IMAGES_FILE, path, sizeof path) != CLI_OK) return CLI_FAILURE;
    clg_status st = clg_idx_load(path, images);
    if (st != CLG_OK) return cli_io_error(st, "cannot read the test images");
    if ((*images)->rank != 3)
        return cli_error("%s: expected images (rank 3), found rank %d", path, (*images)->rank);
    if (find_data_file(dir, LABELS_FILE, path, sizeof path) != CLI_OK) return CLI_FAILURE;
    st = clg_idx_load(path, labels);
    if (st != CLG_OK) return cli_io_error(st, "cannot read the test labels");
    if ((*labels)->rank != 1 || (*labels)->dims[0] != (*images)->dims[0])
        return cli_error("%s: expected %lld labels (rank 1), found rank %d with %lld", path,
                         (long long)(*images)->dims[0], (*labels)->rank,
                         (long long)(*labels)->dims[0]);
    return CLI_OK;
}

static void progress(size_t done, size_t total)
{
    int width = 40, filled = (int)(width * done / total);
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu", filled, "========================================",
            width - filled, "", done, total);
    if (done == total) fputc('\n', stderr);
    fflush(stderr);
}

/* Sizes the result by the model's first output (its shape is known only
   after a run when the model declares a symbolic one). */
static int start_result(const clg_model *model, size_t classes, eval_result *r)
{
    if (classes == 0) return cli_error("the model's first output is empty");
    r->classes = classes;
    r->names = cli_class_names(model, classes);
    r->confusion = calloc(classes * classes, sizeof *r->confusion);
    if (!r->confusion) return cli_error("out of memory");
    if (r->want_logits) {
        int64_t dims[2] = {(int64_t)r->n, (int64_t)classes};
        clg_status st = clg_tensor_create(2, dims, &r->logits);
        if (st != CLG_OK) return cli_status_error(st, "cannot hold the logits");
    }
    return CLI_OK;
}

/* Runs images [first, first + count) and records the predictions. */
static int run_batch(clg_model *model, const clg_preprocess *pp, const clg_idx *images,
                     const clg_idx *labels, size_t first, size_t count, eval_result *r)
{
    size_t h = (size_t)images->dims[1], w = (size_t)images->dims[2];
    /* Views into the IDX data, not copies. */
    clg_image *views = malloc(count * sizeof *views);
    const clg_image **list = malloc(count * sizeof *list);
    if (!views || !list) {
        free(views);
        free(list);
        return cli_error("out of memory");
    }
    for (size_t i = 0; i < count; i++) {
        views[i] = (clg_image){(int)w, (int)h, 1, images->data + (first + i) * h * w};
        list[i] = &views[i];
    }
    clg_tensor *in = NULL, *out = NULL;
    clg_status st = clg_preprocess_images(pp, list, count, &in);
    free(views);
    free(list);
    if (st != CLG_OK) return cli_status_error(st, "cannot preprocess the test images");
    const clg_tensor *inputs[] = {in};
    st = clg_model_run(model, inputs, 1, &out, 1);
    clg_tensor_destroy(in);
    if (st != CLG_OK) return cli_status_error(st, "inference failed");
    int rc = CLI_OK;
    if (r->classes == 0 && (rc = start_result(model, clg_tensor_element_count(out) / count, r)))
        goto done;
    if (clg_tensor_element_count(out) != count * r->classes) {
        rc = cli_error("the model gave %zu outputs for %zu images, expected %zu each",
                       clg_tensor_element_count(out), count, r->classes);
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        const float *row = out->data + i * r->classes;
        size_t label = labels->data[first + i], pred = cli_argmax(row, r->classes);
        if (label >= r->classes) {
            rc = cli_error("test label %zu of image %zu is out of range for %zu classes", label,
                           first + i, r->classes);
            goto done;
        }
        r->predicted[first + i] = (int)pred;
        r->correct += pred == label;
        r->confusion[label * r->classes + pred]++;
        if (r->logits) memcpy(r->logits->data + (first + i) * r->classes, row,
                              r->classes * sizeof *row);
    }
done:
    clg_tensor_destroy(out);
    return rc;
}

static void print_report(const eval_result *r, long batch)
{
    printf("accuracy: %.4f (%zu/%zu correct)\n", (double)r->correct / r->n, r->correct, r->n);
    printf("per-class accuracy:\n");
    for (size_t c = 0; c < r->classes; c++) {
        size_t total = 0;
        for (size_t p = 0; p < r->classes; p++) total += r->confusion[c * r->classes + p];
        size_t right = r->confusion[c * r->classes + c];
        printf("  %2zu %-14s ", c, r->names ? cli_esc(r->names[c]) : "");
        if (total) printf("%.4f (%zu/%zu)\n", (double)right / total, right, total);
        else printf("n/a (no images)\n");
    }
    printf("confusion matrix (rows: true class, columns: predicted class):\n      ");
    for (size_t p = 0; p < r->classes; p++) printf(" %5zu", p);
    printf("\n");
    for (size_t c = 0; c < r->classes; c++) {
        printf("  %3zu ", c);
        for (size_t p = 0; p < r->classes; p++) printf(" %5zu", r->confusion[c * r->classes + p]);
        printf("\n");
    }
    printf("%zu images in %.2f s: %.1f images/s (batch %ld, preprocessing included)\n", r->n,
           r->seconds, r->n / (r->seconds > 0 ? r->seconds : 1e-9), batch);
}

static int write_predictions(const char *path, const eval_result *r)
{
    clg_out_file out;
    clg_status st = clg_out_open(&out, path, "predictions");
    if (st != CLG_OK) return cli_io_error(st, "cannot write the predictions");
    for (size_t i = 0; i < r->n; i++) fprintf(out.f, "%d\n", r->predicted[i]);
    st = clg_out_commit(&out);
    if (st != CLG_OK) return cli_io_error(st, "cannot write the predictions");
    fprintf(stderr, "clgooglenet: wrote %s\n", cli_esc(path));
    return CLI_OK;
}

/* Runs the first r->n images through the model in batches, timing them into r->seconds. */
static int run_batches(clg_model *model, const clg_preprocess *pp, const clg_idx *images,
                       const clg_idx *labels, long batch, eval_result *r)
{
    int bar = isatty(STDERR_FILENO);
    double t0 = cli_now_ms();
    for (size_t first = 0; first < r->n; first += (size_t)batch) {
        size_t count = r->n - first < (size_t)batch ? r->n - first : (size_t)batch;
        if (run_batch(model, pp, images, labels, first, count, r) != CLI_OK) return CLI_FAILURE;
        if (bar) progress(first + count, r->n);
    }
    r->seconds = (cli_now_ms() - t0) / 1e3;
    return CLI_OK;
}

/*
 * A half-precision run is compared with a float32 run of the same model on
 * the same device: its accuracy, and on how many images the two agree on
 * the top class (what a user switching to fp16 needs to know).
 */
static int compare_with_fp32(const char *spec, const eval_options *o, const clg_preprocess *pp,
                             const clg_idx *images, const clg_idx *labels, const eval_result *half)
{
    clg_context *ctx = NULL;
    clg_model *model = NULL;
    eval_result r;
    memset(&r, 0, sizeof r);
    r.n = half->n;
    int rc = CLI_FAILURE;
    fprintf(stderr, "clgooglenet: the same images in fp32, for comparison\n");
    if (cli_open_device_with(spec, 0, CLG_TUNING_DEFAULT, CLG_PRECISION_FP32, &ctx) != CLI_OK) goto done;
    clg_status st = clg_model_load(ctx, o->model, &model);
    if (st != CLG_OK) {
        rc = cli_status_error(st, "cannot load model");
        goto done;
    }
    if (!(r.predicted = calloc(r.n, sizeof *r.predicted))) {
        rc = cli_error("out of memory");
        goto done;
    }
    if (run_batches(model, pp, images, labels, o->batch, &r) != CLI_OK) goto done;
    size_t agree = 0;
    for (size_t i = 0; i < r.n; i++) agree += r.predicted[i] == half->predicted[i];
    printf("fp32 accuracy: %.4f (%zu/%zu correct); fp16 - fp32: %+.2f points\n", (double)r.correct / r.n,
           r.correct, r.n, 100.0 * ((double)half->correct - (double)r.correct) / r.n);
    printf("top-1 agreement with fp32: %.4f (%zu/%zu images)\n", (double)agree / r.n, agree, r.n);
    rc = CLI_OK;
done:
    free(r.names);
    free(r.confusion);
    free(r.predicted);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
    return rc;
}

/* The trace, the report, the predictions and the logits. Each output is
   written on its own: one that fails does not stop the others. */
static int write_outputs(const eval_options *o, clg_context *ctx, clg_trace *trace, const eval_result *r)
{
    int failed = cli_trace_finish(o->trace, ctx, trace, r->seconds * 1e3) != CLI_OK;
    print_report(r, o->batch);
    if (o->predictions) failed |= write_predictions(o->predictions, r) != CLI_OK;
    if (o->logits) {
        clg_status st = clg_tensor_save_npy(o->logits, r->logits);
        if (st != CLG_OK) failed |= cli_status_error(st, "cannot write the logits") != CLI_OK;
        else fprintf(stderr, "clgooglenet: wrote %s\n", cli_esc(o->logits));
    }
    return failed ? CLI_FAILURE : CLI_OK;
}

int cli_eval(int argc, char **argv, const char *spec)
{
    eval_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != CLI_OK) return rc < 0 ? CLI_OK : rc;
    char bundled[4096];
    if (!o.model) {
        if (cli_bundled_model(bundled, sizeof bundled) != CLI_OK) return CLI_FAILURE;
        o.model = bundled;
    }

    clg_idx *images = NULL, *labels = NULL;
    clg_context *ctx = NULL;
    clg_model *model = NULL;
    clg_trace *trace = NULL;
    eval_result r;
    memset(&r, 0, sizeof r);
    rc = CLI_FAILURE;
    if (load_dataset(o.data, &images, &labels) != CLI_OK) goto done;
    r.n = (size_t)images->dims[0];
    if (o.limit && (size_t)o.limit < r.n) r.n = (size_t)o.limit;

    if (cli_open_device_with(spec, o.trace ? CLG_CONTEXT_PROFILING : 0, CLG_TUNING_DEFAULT, o.precision, &ctx) !=
        CLI_OK)
        goto done;
    clg_status st = clg_model_load(ctx, o.model, &model);
    if (st != CLG_OK) {
        rc = cli_status_error(st, "cannot load model");
        goto done;
    }
    clg_preprocess pp;
    if (cli_preprocess(model, &o.flags, &pp) != CLI_OK) goto done;
    r.want_logits = o.logits != NULL;
    if (!(r.predicted = calloc(r.n, sizeof *r.predicted))) {
        rc = cli_error("out of memory");
        goto done;
    }
    if (cli_trace_start(o.trace, ctx, model, &trace) != CLI_OK) goto done;
    fprintf(stderr, "clgooglenet: %zu test images from %s, batch %ld, input %dx%dx%d\n", r.n,
            cli_esc(o.data), o.batch, pp.channels, pp.height, pp.width);

    if (run_batches(model, &pp, images, labels, o.batch, &r) != CLI_OK) goto done;
    rc = write_outputs(&o, ctx, trace, &r);
    if (rc == CLI_OK && clg_context_precision(ctx) == CLG_PRECISION_FP16)
        rc = compare_with_fp32(spec, &o, &pp, images, labels, &r);
done:
    free(r.names);
    free(r.confusion);
    free(r.predicted);
    clg_tensor_destroy(r.logits);
    clg_trace_destroy(trace);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
    clg_idx_destroy(images);
    clg_idx_destroy(labels);
    return rc;
}
