/*
 * clgooglenet conformance: runs ONNX's own operator tests (Debian's
 * libonnx-testdata) and sorts each into PASS, FAIL or SKIP with a reason.
 *
 * A test is a directory test_NAME holding model.onnx and test_data_set_K/
 * with input_I.pb and output_O.pb. It is SKIP when the runtime refuses the
 * model or a test tensor as out of scope (CLG_ERR_UNSUPPORTED while
 * loading); any other error, a wrong output shape or a value off by more
 * than the tolerance is FAIL.
 */
#include <ctype.h>
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "file_read.h"

#define DEFAULT_ROOT "/usr/share/libonnx-testdata/data"
/* The groups of a data root that are run; the others (real models,
   pytorch-operator) need ops far outside this runtime's scope. */
static const char *const default_groups[] = {"node", "pytorch-converted"};
/* ONNX's backend tests use rtol 1e-3; we hold ourselves to 1e-4. */
#define TOLERANCE 1e-4
/* meson's "skipped" exit status. */
#define EXIT_SKIPPED 77

typedef enum { RESULT_PASS, RESULT_FAIL, RESULT_SKIP } result_kind;
static const char *const result_names[] = {"PASS", "FAIL", "SKIP"};

typedef struct test_case {
    char *dir;    /* the test directory */
    char *id;     /* group/test_name */
    char *op;     /* the op group of the table */
    result_kind result;
    char *reason; /* one line; NULL for PASS */
} test_case;

typedef struct case_list {
    test_case *items;
    size_t count, cap;
} case_list;

/* ---- Op groups ----------------------------------------------------------

   A test's op is read from its name: drop "test_" (and pytorch-operator's
   "operator_"), lowercase it and ignore the underscores, then take the
   longest key below that starts it and ends where a word of the name ends
   (at '_', a digit, a capital after a small letter, or the end). Keys are
   ONNX op names, lowercased, plus aliases for tests named otherwise
   (batchnorm, sce, tril, pytorch's AvgPool2d, ...). A name no key starts
   keeps its first word: up to the first '_' or digit (pytorch-converted's
   Linear, GLU, Softmin, ...). */

typedef struct op_key {
    const char *key, *op;
} op_key;

static const char *const onnx_ops[] = {
    "Abs", "Acos", "Acosh", "Adagrad", "Adam", "Add", "And", "ArgMax", "ArgMin", "Asin", "Asinh",
    "Atan", "Atanh", "AveragePool", "BatchNormalization", "Bernoulli", "BitShift",
    "BlackmanWindow", "Cast", "CastLike", "Ceil", "Celu", "Clip", "Compress", "Concat",
    "ConcatFromSequence", "Constant", "ConstantOfShape", "Conv", "ConvInteger", "ConvTranspose",
    "Cos", "Cosh", "CumSum", "DFT", "DepthToSpace", "DequantizeLinear", "Det", "Div", "Dropout",
    "DynamicQuantizeLinear", "Einsum", "Elu", "Equal", "Erf", "Exp", "Expand", "EyeLike",
    "Flatten", "Floor", "GRU", "Gather", "GatherElements", "GatherND", "Gemm",
    "GlobalAveragePool", "GlobalLpPool", "GlobalMaxPool", "Greater", "GreaterOrEqual",
    "GridSample", "HammingWindow", "HannWindow", "HardSigmoid", "HardSwish", "Hardmax",
    "Identity", "If", "InstanceNormalization", "IsInf", "IsNaN", "LRN", "LSTM",
    "LayerNormalization", "LeakyRelu", "Less", "LessOrEqual", "Log", "LogSoftmax", "Loop",
    "LpNormalization", "LpPool", "MatMul", "MatMulInteger", "Max", "MaxPool", "MaxRoiPool",
    "MaxUnpool", "Mean", "MeanVarianceNormalization", "MelWeightMatrix", "Min", "Mod",
    "Momentum", "Mul", "Multinomial", "Neg", "NegativeLogLikelihoodLoss", "NonMaxSuppression",
    "NonZero", "Not", "OneHot", "Optional", "OptionalGetElement", "OptionalHasElement", "Or",
    "PRelu", "Pad", "Pow", "QLinearConv", "QLinearMatMul", "QuantizeLinear", "RNN",
    "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Range",
    "Reciprocal", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
    "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum", "ReduceSumSquare", "Relu", "Reshape",
    "Resize", "ReverseSequence", "RoiAlign", "Round", "STFT", "Scan", "Scatter",
    "ScatterElements", "ScatterND", "Selu", "SequenceAt", "SequenceConstruct", "SequenceEmpty",
    "SequenceErase", "SequenceInsert", "SequenceLength", "SequenceMap", "Shape", "Shrink",
    "Sigmoid", "Sign", "Sin", "Sinh", "Size", "Slice", "Softmax", "SoftmaxCrossEntropyLoss",
    "Softplus", "Softsign", "SpaceToDepth", "Split", "SplitToSequence", "Sqrt", "Squeeze",
    "StringNormalizer", "Sub", "Sum", "Tan", "Tanh", "TfIdfVectorizer", "ThresholdedRelu",
    "Tile", "TopK", "Transpose", "Trilu", "Unique", "Unsqueeze", "Upsample", "Where", "Xor"};

/* Keys lowercased, without underscores. */
static const op_key aliases[] = {
    {"avgpool", "AveragePool"},           {"basicconv", "Conv"},
    {"basicconvinteger", "ConvInteger"},  {"batchnorm", "BatchNormalization"},
    {"constantpad", "Pad"},               {"edgepad", "Pad"},
    {"greaterequal", "GreaterOrEqual"},   {"instancenorm", "InstanceNormalization"},
    {"lessequal", "LessOrEqual"},         {"mvn", "MeanVarianceNormalization"},
    {"nesterovmomentum", "Momentum"},     {"nllloss", "NegativeLogLikelihoodLoss"},
    {"reflectpad", "Pad"},                {"reflectionpad", "Pad"},
    {"replicationpad", "Pad"},            {"sce", "SoftmaxCrossEntropyLoss"},
    {"simplernn", "RNN"},                 {"strnormalizer", "StringNormalizer"},
    {"trainingdropout", "Dropout"},       {"tril", "Trilu"},
    {"triu", "Trilu"},                    {"zeropad", "Pad"},
};

/* The test name lowercased without underscores, and where each of its
   characters ends a word of the name. */
typedef struct norm_name {
    char text[256];
    unsigned char word_end[256];
    size_t len;
} norm_name;

static void normalise(const char *name, norm_name *n)
{
    n->len = 0;
    for (const char *p = name; *p && n->len + 1 < sizeof n->text; p++) {
        if (*p == '_') continue;
        unsigned char c = (unsigned char)p[0], next = (unsigned char)p[1];
        if (next == '_') next = '\0'; /* an underscore ends the word */
        n->word_end[n->len] = !next || !isdigit(c) != !isdigit(next) || (islower(c) && isupper(next));
        n->text[n->len++] = (char)tolower(c);
    }
    n->text[n->len] = '\0';
}

/* 1 when key, compared case-insensitively, starts the name and ends a word there. */
static int key_matches(const char *key, const norm_name *n)
{
    size_t i = 0;
    for (; key[i]; i++)
        if (i >= n->len || tolower((unsigned char)key[i]) != n->text[i]) return 0;
    return i > 0 && n->word_end[i - 1];
}

static char *op_group(const char *test_name)
{
    const char *name = test_name;
    if (!strncmp(name, "test_", 5)) name += 5;
    if (!strncmp(name, "operator_", 9)) name += 9;
    norm_name n;
    normalise(name, &n);
    const char *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < sizeof onnx_ops / sizeof *onnx_ops; i++) {
        size_t len = strlen(onnx_ops[i]);
        if (len > best_len && key_matches(onnx_ops[i], &n)) {
            best = onnx_ops[i];
            best_len = len;
        }
    }
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
        size_t len = strlen(aliases[i].key);
        if (len > best_len && key_matches(aliases[i].key, &n)) {
            best = aliases[i].op;
            best_len = len;
        }
    }
    if (best) return strdup(best);
    size_t len = 0;
    while (name[len] && name[len] != '_' && !isdigit((unsigned char)name[len])) len++;
    return strndup(name, len ? len : strlen(name));
}

/* ---- Finding the tests ------------------------------------------------- */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void free_case(test_case *tc)
{
    free(tc->dir);
    free(tc->id);
    free(tc->op);
    free(tc->reason);
}

static void free_cases(case_list *list)
{
    for (size_t i = 0; i < list->count; i++) free_case(&list->items[i]);
    free(list->items);
    memset(list, 0, sizeof *list);
}

static int add_case(case_list *list, const char *dir, const char *group, const char *name)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 256;
        test_case *items = realloc(list->items, cap * sizeof *items);
        if (!items) return cli_error("out of memory");
        list->items = items;
        list->cap = cap;
    }
    test_case tc = {0};
    size_t id_size = strlen(group) + strlen(name) + 2;
    tc.dir = strdup(dir);
    tc.id = malloc(id_size);
    tc.op = op_group(name);
    if (!tc.dir || !tc.id || !tc.op) {
        free_case(&tc);
        return cli_error("out of memory");
    }
    snprintf(tc.id, id_size, "%s/%s", group, name);
    list->items[list->count++] = tc;
    return CLI_OK;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The test_* directories of one group, in name order. */
static int collect_group(case_list *list, const char *dir, const char *group)
{
    DIR *d = opendir(dir);
    if (!d) return cli_error("cannot read %s", dir);
    char **names = NULL;
    size_t count = 0, cap = 0;
    int rc = CLI_OK;
    struct dirent *e;
    while (rc == CLI_OK && (e = readdir(d))) {
        if (strncmp(e->d_name, "test_", 5) != 0) continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 256;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) {
                rc = cli_error("out of memory");
                break;
            }
            names = grown;
        }
        if (!(names[count] = strdup(e->d_name))) rc = cli_error("out of memory");
        else count++;
    }
    closedir(d);
    if (count) qsort(names, count, sizeof *names, compare_strings);
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (rc == CLI_OK && is_dir(path)) rc = add_case(list, path, group, names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

/* 1 when dir holds at least one test_* directory. */
static int has_tests(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        found = strncmp(e->d_name, "test_", 5) == 0 && is_dir(path);
    }
    closedir(d);
    return found;
}

/* The last component of path (no trailing '/'). */
static const char *last_component(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/*
 * DIR is one test (it holds model.onnx), a group (it holds test_*), or a
 * data root whose node/ and pytorch-converted/ are the groups.
 */
static int collect_dir(case_list *list, const char *arg)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", arg);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--) dir[n - 1] = '\0';
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    if (is_file(path)) {
        char parent[4096];
        snprintf(parent, sizeof parent, "%s", dir);
        char *slash = strrchr(parent, '/');
        if (slash) *slash = '\0';
        return add_case(list, dir, slash ? last_component(parent) : ".", last_component(dir));
    }
    if (has_tests(dir)) return collect_group(list, dir, last_component(dir));
    int found = 0;
    for (size_t i = 0; i < sizeof default_groups / sizeof *default_groups; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, default_groups[i]);
        if (!is_dir(path)) continue;
        found = 1;
        if (collect_group(list, path, default_groups[i]) != CLI_OK) return CLI_FAILURE;
    }
    if (!found)
        return cli_error("%s holds no ONNX tests (no model.onnx, test_* directories, node/ or "
                         "pytorch-converted/)", dir);
    return CLI_OK;
}

/* ---- The required list ------------------------------------------------- */

typedef struct string_list {
    char **items;
    size_t count, cap;
} string_list;

static void free_strings(string_list *l)
{
    for (size_t i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* One group/test_name a line; '#' starts a comment; blank lines are ignored. */
static int read_required(const char *path, string_list *out)
{
    FILE *f = NULL;
    size_t size;
    clg_status st = clg_open_read(path, "required list", (uint64_t)16 << 20, &f, &size);
    if (st != CLG_OK) return cli_io_error(st, "cannot read the required list");
    char *line = NULL;
    size_t line_cap = 0, line_no = 0;
    int rc = CLI_OK;
    while (rc == CLI_OK && getline(&line, &line_cap, f) != -1) {
        line_no++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *start = line;
        while (isspace((unsigned char)*start)) start++;
        char *end = start + strlen(start);
        while (end > start && isspace((unsigned char)end[-1])) *--end = '\0';
        if (!*start) continue;
        char *slash = strchr(start, '/');
        int bad = !slash || slash == start || !slash[1] || strchr(slash + 1, '/');
        for (char *p = start; *p && !bad; p++) bad = isspace((unsigned char)*p);
        if (bad) {
            rc = cli_error("%s:%zu: '%s' is not group/test_name", path, line_no, start);
            break;
        }
        if (out->count == out->cap) {
            size_t cap = out->cap ? 2 * out->cap : 64;
            char **grown = realloc(out->items, cap * sizeof *grown);
            if (!grown) {
                rc = cli_error("out of memory");
                break;
            }
            out->items = grown;
            out->cap = cap;
        }
        if (!(out->items[out->count] = strdup(start))) rc = cli_error("out of memory");
        else out->count++;
    }
    if (rc == CLI_OK && ferror(f)) rc = cli_error("cannot read the required list %s", path);
    free(line);
    fclose(f);
    return rc;
}

/* ---- Running one test -------------------------------------------------- */

/* The library's message (first line), without the test directory it starts with. */
static void library_reason(clg_status st, const char *dir, char *why, size_t size)
{
    const char *msg = clg_last_error();
    if (!*msg) msg = clg_status_to_string(st);
    size_t dlen = strlen(dir);
    if (!strncmp(msg, dir, dlen) && msg[dlen] == '/') msg += dlen + 1;
    size_t len = strcspn(msg, "\n");
    snprintf(why, size, "%.*s", (int)len, msg);
}

static void format_shape(const clg_tensor *t, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "(");
    for (int i = 0; i < t->rank && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? ", " : "", (long long)t->dims[i]);
    if (n < size) snprintf(buf + n, size - n, ")");
}

/* 1 when got matches want in shape and, element by element, within TOLERANCE. */
static int outputs_match(const clg_tensor *got, const clg_tensor *want, size_t k, char *why,
                         size_t size)
{
    int same_shape = got->rank == want->rank;
    for (int i = 0; same_shape && i < want->rank; i++) same_shape = got->dims[i] == want->dims[i];
    if (!same_shape) {
        char g[256], w[256];
        format_shape(got, g, sizeof g);
        format_shape(want, w, sizeof w);
        snprintf(why, size, "output_%zu has shape %s, expected %s", k, g, w);
        return 0;
    }
    size_t n = clg_tensor_element_count(want), bad = 0, worst_at = 0;
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double g = got->data[i], w = want->data[i];
        /* Equal values (infinities too) and NaN where NaN is expected match. */
        if (g == w || (isnan(g) && isnan(w))) continue;
        double err = isnan(g) || isnan(w) ? INFINITY : fabs(g - w) / fmax(1.0, fabs(w));
        if (!(err > TOLERANCE)) continue;
        if (!bad || err > worst) {
            worst = err;
            worst_at = i;
        }
        bad++;
    }
    if (!bad) return 1;
    snprintf(why, size, "output_%zu: %zu of %zu values off by more than %g; worst at %zu: got %.7g, "
             "expected %.7g", k, bad, n, TOLERANCE, worst_at, got->data[worst_at],
             want->data[worst_at]);
    return 0;
}

static void destroy_tensors(clg_tensor **t, size_t n)
{
    if (!t) return;
    for (size_t i = 0; i < n; i++) clg_tensor_destroy(t[i]);
    free(t);
}

/* One test_data_set_K: load its tensors, run, compare every output. */
static result_kind run_data_set(clg_model *model, const char *dir, const char *set, char *why,
                                size_t size)
{
    size_t n_in = clg_model_input_count(model), n_out = clg_model_output_count(model);
    size_t n_want = 0;
    char path[4200];
    for (;; n_want++) {
        snprintf(path, sizeof path, "%s/%s/output_%zu.pb", dir, set, n_want);
        if (!is_file(path)) break;
    }
    if (n_want != n_out) {
        snprintf(why, size, "the model has %zu output(s), %s has %zu", n_out, set, n_want);
        return RESULT_FAIL;
    }
    clg_tensor **inputs = calloc(n_in + 1, sizeof *inputs);
    clg_tensor **want = calloc(n_out + 1, sizeof *want);
    clg_tensor **got = calloc(n_out + 1, sizeof *got);
    result_kind r = RESULT_FAIL;
    clg_status st;
    if (!inputs || !want || !got) {
        snprintf(why, size, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_in + n_out; i++) {
        int is_input = i < n_in;
        size_t k = is_input ? i : i - n_in;
        snprintf(path, sizeof path, "%s/%s/%s_%zu.pb", dir, set, is_input ? "input" : "output", k);
        st = clg_tensor_load_pb(path, is_input ? &inputs[k] : &want[k]);
        if (st != CLG_OK) {
            library_reason(st, dir, why, size);
            r = st == CLG_ERR_UNSUPPORTED ? RESULT_SKIP : RESULT_FAIL;
            goto done;
        }
    }
    st = clg_model_run(model, (const clg_tensor *const *)inputs, n_in, got, n_out);
    if (st != CLG_OK) {
        library_reason(st, dir, why, size);
        goto done;
    }
    for (size_t k = 0; k < n_out; k++)
        if (!outputs_match(got[k], want[k], k, why, size)) goto done;
    r = RESULT_PASS;
done:
    destroy_tensors(inputs, n_in);
    destroy_tensors(want, n_out);
    destroy_tensors(got, n_out);
    return r;
}

static result_kind run_case(clg_context *ctx, const char *dir, char *why, size_t size)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    clg_model *model = NULL;
    clg_status st = clg_model_load(ctx, path, &model);
    if (st != CLG_OK) {
        library_reason(st, dir, why, size);
        return st == CLG_ERR_UNSUPPORTED ? RESULT_SKIP : RESULT_FAIL;
    }
    result_kind r = RESULT_PASS;
    size_t sets = 0;
    for (; r == RESULT_PASS; sets++) {
        char set[64];
        snprintf(set, sizeof set, "test_data_set_%zu", sets);
        snprintf(path, sizeof path, "%s/%s", dir, set);
        if (!is_dir(path)) break;
        /* Name the data set past the first. */
        size_t prefix = sets ? (size_t)snprintf(why, size, "%s: ", set) : 0;
        if (prefix >= size) prefix = 0;
        r = run_data_set(model, dir, set, why + prefix, size - prefix);
    }
    if (r == RESULT_PASS && sets == 0) {
        snprintf(why, size, "no test_data_set_0");
        r = RESULT_FAIL;
    }
    clg_model_destroy(model);
    return r;
}

/* ---- Report ------------------------------------------------------------ */

typedef struct op_row {
    const char *op;
    size_t counts[3]; /* by result_kind */
} op_row;

static int compare_rows(const void *a, const void *b)
{
    const op_row *x = a, *y = b;
    int c = strcasecmp(x->op, y->op);
    return c ? c : strcmp(x->op, y->op);
}

static int print_table(const case_list *list)
{
    op_row *rows = calloc(list->count, sizeof *rows);
    if (!rows) return cli_error("out of memory");
    size_t n_rows = 0, width = 2;
    size_t total[3] = {0};
    for (size_t i = 0; i < list->count; i++) {
        const test_case *tc = &list->items[i];
        size_t r = 0;
        while (r < n_rows && strcmp(rows[r].op, tc->op)) r++;
        if (r == n_rows) {
            rows[n_rows++].op = tc->op;
            if (strlen(tc->op) > width) width = strlen(tc->op);
        }
        rows[r].counts[tc->result]++;
        total[tc->result]++;
    }
    qsort(rows, n_rows, sizeof *rows, compare_rows);
    printf("\n%-*s %6s %6s %6s %6s\n", (int)width, "op", "pass", "fail", "skip", "total");
    for (size_t r = 0; r < n_rows; r++) {
        const size_t *c = rows[r].counts;
        printf("%-*s %6zu %6zu %6zu %6zu\n", (int)width, cli_esc(rows[r].op), c[RESULT_PASS],
               c[RESULT_FAIL], c[RESULT_SKIP], c[0] + c[1] + c[2]);
    }
    printf("%-*s %6zu %6zu %6zu %6zu\n\n", (int)width, "all", total[RESULT_PASS],
           total[RESULT_FAIL], total[RESULT_SKIP], list->count);
    free(rows);
    return CLI_OK;
}

/* ---- The command ------------------------------------------------------- */

static const char help_text[] =
    "usage: clgooglenet conformance [DIR...] [--filter SUBSTR] [--required FILE]\n"
    "                               [--verbose] [--skip-missing]\n"
    "\n"
    "Runs ONNX's operator tests (libonnx-testdata) and prints, per test, PASS, FAIL or\n"
    "SKIP with the reason, then pass/fail/skip counts per op and a summary.\n"
    "\n"
    "DIR: a data root (its node/ and pytorch-converted/ groups), a group directory of\n"
    "test_* directories, or one test directory; default " DEFAULT_ROOT ".\n"
    "  -f, --filter SUBSTR   only tests whose test_name contains SUBSTR (group/test_name\n"
    "                        when SUBSTR has a '/', e.g. node/ or node/test_conv)\n"
    "  -r, --required FILE   tests that must PASS, one group/test_name a line (# comments)\n"
    "  -v, --verbose         print PASS lines too (default: only FAIL and SKIP)\n"
    "  --skip-missing        exit 77 (meson's skip) when a DIR does not exist\n"
    "\n"
    "Exit status: 0 all ran tests passed or were skipped and every required test passed;\n"
    "1 a test failed, a required test did not pass, or an error; 2 usage error.\n";

typedef struct conformance_options {
    const char *filter, *required;
    int verbose, skip_missing;
} conformance_options;

static int find_case(const case_list *list, const char *id)
{
    for (size_t i = 0; i < list->count; i++)
        if (!strcmp(list->items[i].id, id)) return (int)i;
    return -1;
}

/* A filter with a '/' is matched against group/test_name, any other against
   test_name alone ("conv" must not pick every pytorch-converted test). */
static int filter_matches(const char *id, const char *filter)
{
    const char *slash = strchr(id, '/');
    return strstr(strchr(filter, '/') || !slash ? id : slash + 1, filter) != NULL;
}

/* Drops the tests the filter does not match. */
static void apply_filter(case_list *list, const char *filter)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (filter_matches(list->items[i].id, filter)) list->items[kept++] = list->items[i];
        else free_case(&list->items[i]);
    }
    list->count = kept;
}

/* Runs every test, printing its line as it finishes; counts by result. */
static int run_all(case_list *list, const conformance_options *o, const char *device_spec,
                   size_t counts[3])
{
    clg_context *ctx = NULL;
    if (cli_open_device(device_spec, 0, &ctx) != CLI_OK) return CLI_FAILURE;
    int progress = isatty(STDERR_FILENO);
    for (size_t i = 0; i < list->count; i++) {
        test_case *tc = &list->items[i];
        if (progress) {
            fprintf(stderr, "\r\033[K[%zu/%zu] %s", i + 1, list->count, cli_esc(tc->id));
            fflush(stderr);
        }
        char why[1024] = "";
        tc->result = run_case(ctx, tc->dir, why, sizeof why);
        counts[tc->result]++;
        if (tc->result != RESULT_PASS && !(tc->reason = strdup(why))) {
            clg_context_destroy(ctx);
            return cli_error("out of memory");
        }
        if (progress) fputs("\r\033[K", stderr);
        if (tc->result == RESULT_PASS && o->verbose) printf("PASS %s\n", cli_esc(tc->id));
        else if (tc->result != RESULT_PASS)
            printf("%s %s: %s\n", result_names[tc->result], cli_esc(tc->id), cli_esc(tc->reason));
        fflush(stdout);
    }
    clg_context_destroy(ctx);
    return CLI_OK;
}

/* Every required test (within the filter) must have passed; counts them and,
   with report, lists those that did not. */
static int check_required(const case_list *list, const string_list *required,
                          const conformance_options *o, int report, size_t *n_checked,
                          size_t *n_passed)
{
    int rc = CLI_OK;
    for (size_t i = 0; i < required->count; i++) {
        const char *id = required->items[i];
        if (o->filter && !filter_matches(id, o->filter)) continue;
        ++*n_checked;
        int at = find_case(list, id);
        const test_case *tc = at < 0 ? NULL : &list->items[at];
        if (tc && tc->result == RESULT_PASS) {
            ++*n_passed;
            continue;
        }
        rc = CLI_FAILURE;
        if (report && !tc) cli_error("required test %s was not found", id);
        else if (report)
            cli_error("required test %s did not pass: %s: %s", id, result_names[tc->result],
                      tc->reason);
    }
    return rc;
}

int cli_conformance(int argc, char **argv, const char *device_spec)
{
    static const struct option options[] = {
        {"filter", required_argument, NULL, 'f'}, {"required", required_argument, NULL, 'r'},
        {"verbose", no_argument, NULL, 'v'},      {"skip-missing", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    conformance_options o = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:r:vh", options, NULL)) != -1) {
        switch (c) {
        case 'f': o.filter = optarg; break;
        case 'r': o.required = optarg; break;
        case 'v': o.verbose = 1; break;
        case 'S': o.skip_missing = 1; break;
        case 'h': fputs(help_text, stdout); return CLI_OK;
        default: return cli_usage_error("conformance: unknown or incomplete option");
        }
    }
    static char *const default_dirs[] = {(char *)DEFAULT_ROOT};
    char *const *dirs = optind < argc ? argv + optind : default_dirs;
    size_t n_dirs = optind < argc ? (size_t)(argc - optind) : 1;
    for (size_t i = 0; i < n_dirs; i++) {
        if (is_dir(dirs[i])) continue;
        if (o.skip_missing) {
            printf("SKIP: %s not found (install libonnx-testdata)\n", cli_esc(dirs[i]));
            return EXIT_SKIPPED;
        }
        return cli_error("%s not found (install libonnx-testdata: apt-get install "
                         "libonnx-testdata)", dirs[i]);
    }

    double t0 = cli_now_ms();
    string_list required = {0};
    case_list list = {0};
    int rc = CLI_FAILURE;
    if (o.required && read_required(o.required, &required) != CLI_OK) goto done;
    for (size_t i = 0; i < n_dirs; i++)
        if (collect_dir(&list, dirs[i]) != CLI_OK) goto done;
    if (o.filter) apply_filter(&list, o.filter);
    if (!list.count) {
        cli_error("no test found%s%s%s", o.filter ? " matching '" : "", o.filter ? o.filter : "",
                  o.filter ? "'" : "");
        goto done;
    }
    size_t counts[3] = {0};
    if (run_all(&list, &o, device_spec, counts) != CLI_OK) goto done;
    if (print_table(&list) != CLI_OK) goto done;

    size_t n_checked = 0, n_passed = 0;
    int required_rc = check_required(&list, &required, &o, 0, &n_checked, &n_passed);
    printf("onnx conformance: %zu passed, %zu failed, %zu skipped of %zu tests", counts[RESULT_PASS],
           counts[RESULT_FAIL], counts[RESULT_SKIP], list.count);
    if (o.required) printf("; %zu of %zu required tests passed", n_passed, n_checked);
    printf(" (%.1f s)\n", (cli_now_ms() - t0) / 1e3);
    fflush(stdout);
    if (counts[RESULT_FAIL]) cli_error("%zu test(s) failed (see the FAIL lines)", counts[RESULT_FAIL]);
    if (required_rc != CLI_OK) check_required(&list, &required, &o, 1, &n_checked, &n_passed);
    rc = counts[RESULT_FAIL] || required_rc != CLI_OK ? CLI_FAILURE : CLI_OK;
done:
    free_cases(&list);
    free_strings(&required);
    return rc;
}
