/*
 * Device-fault sweep. Run under the fault injector (LD_PRELOAD of
 * libclgfault.so, tests/fault/clgfault.c). For every wrapped OpenCL call kind
 * it counts the calls one context creation + load + inference of MODEL makes,
 * then, for a sample of N in 1..count (always the first and last calls and
 * the first launch of every kernel), makes the N-th call fail and checks:
 *   - the failing step returns a non-OK status whose message names the
 *     injected OpenCL error and, for node work, the node;
 *   - the same process then runs the model again successfully (reusing the
 *     context and model that survived) with the expected logits;
 *   - after everything is destroyed no OpenCL object made through the wrapped
 *     calls is still alive (host leaks: ASan / valgrind around this program).
 *
 *   usage: fault-sweep MODEL.onnx INPUT.npy EXPECTED.npy [PER_KIND [KIND...]]
 * PER_KIND (default 4) bounds the evenly spaced samples added per kind; 0
 * sweeps every call; -1 (the default under valgrind) only the first and last.
 * CLG_FAULT_SWEEP_PER_KIND overrides it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clblast_c.h>

#include "clgooglenet.h"
#include "error.h"
#include "graph.h"
#include "model.h"
#include "../fault/clgfault.h"

static struct {
    int (*kind)(const char *);
    const char *(*kind_name)(int);
    void (*arm)(int, unsigned long, int);
    unsigned long (*calls)(int);
    int (*fired)(void);
    unsigned long (*label_count)(int);
    const char *(*label)(int, unsigned long);
    size_t (*live)(int);
    const char *(*type_name)(int);
} F;

static const char *model_path, *input_path, *expected_path;
static clg_tensor *input, *expected;
static int failures;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "FAIL: " __VA_ARGS__);                                                     \
        fputc('\n', stderr);                                                                       \
        failures++;                                                                                \
    } while (0)

static int lookup(void)
{
#define L(field, sym)                                                                              \
    *(void **)&F.field = dlsym(RTLD_DEFAULT, #sym);                                                \
    if (!F.field) return 0;
    L(kind, clg_fault_kind)
    L(kind_name, clg_fault_kind_name)
    L(arm, clg_fault_arm)
    L(calls, clg_fault_calls)
    L(fired, clg_fault_fired)
    L(label_count, clg_fault_label_count)
    L(label, clg_fault_label)
    L(live, clg_fault_live)
    L(type_name, clg_fault_object_type_name)
#undef L
    return 1;
}

/* The error the injector returns for a kind (its defaults). */
static const char *injected_error(int kind)
{
    if (kind == CLG_FAULT_clCreateBuffer) return "CL_MEM_OBJECT_ALLOCATION_FAILURE";
    if (kind == CLG_FAULT_clGetPlatformIDs) return "CL_OUT_OF_HOST_MEMORY";
    return "CL_OUT_OF_RESOURCES";
}

/* Kinds whose calls, when the runtime makes them, are work for one node. */
static int names_node(int kind)
{
    return kind == CLG_FAULT_clEnqueueNDRangeKernel || kind == CLG_FAULT_clEnqueueMarkerWithWaitList ||
           kind == CLG_FAULT_clCreateKernel || kind == CLG_FAULT_clSetKernelArg ||
           kind == CLG_FAULT_clBuildProgram || kind == CLG_FAULT_clCreateProgramWithSource;
}

static int check_output(const clg_tensor *got, const char *what)
{
    if (got->rank != expected->rank ||
        clg_tensor_element_count(got) != clg_tensor_element_count(expected)) {
        FAIL("%s: output shape differs from %s", what, expected_path);
        return 0;
    }
    double max_ref = 0, max_err = 0;
    size_t n = clg_tensor_element_count(expected);
    for (size_t i = 0; i < n; i++) {
        max_ref = fmax(max_ref, fabs(expected->data[i]));
        max_err = fmax(max_err, fabs((double)got->data[i] - expected->data[i]));
    }
    if (max_err > 1e-3 * (max_ref > 1 ? max_ref : 1)) {
        FAIL("%s: output differs from %s by %g", what, expected_path, max_err);
        return 0;
    }
    return 1;
}

static clg_status run_model(clg_model *model)
{
    clg_tensor *out = NULL;
    const clg_tensor *in[1] = {input};
    clg_status st = clg_model_run(model, in, 1, &out, 1);
    if (st == CLG_OK) {
        check_output(out, "run");
        clg_tensor_destroy(out);
    }
    return st;
}

/* One context creation + load + run; st/msg report the first failure. */
typedef struct attempt {
    clg_context *ctx;
    clg_model *model;
    clg_status st;
    const char *step;
    char msg[4096];
} attempt;

static void attempt_run(attempt *a)
{
    memset(a, 0, sizeof *a);
    a->step = "clg_context_create";
    a->st = clg_context_create(NULL, &a->ctx);
    if (a->st == CLG_OK) {
        a->step = "clg_model_load";
        a->st = clg_model_load(a->ctx, model_path, &a->model);
    }
    if (a->st == CLG_OK) {
        a->step = "clg_model_run";
        a->st = run_model(a->model);
    }
    if (a->st != CLG_OK) snprintf(a->msg, sizeof a->msg, "%s", clg_last_error());
    if ((a->ctx == NULL) != (a->step == NULL || strcmp(a->step, "clg_context_create") == 0))
        FAIL("%s failed but left a context behind", a->step);
}

static void destroy_attempt(attempt *a)
{
    clg_model_destroy(a->model);
    clg_context_destroy(a->ctx);
    a->model = NULL;
    a->ctx = NULL;
}

/* Checks that everything made through OpenCL was released. */
static void check_live(const char *what)
{
    CLBlastClearCache(); /* CLBlast keeps programs per context */
    if (F.live(-1) == 0) return;
    char list[256] = "";
    size_t used = 0;
    for (int t = 0; t < CLG_FAULT_OBJECT_TYPES; t++)
        if (F.live(t))
            used += (size_t)snprintf(list + used, sizeof list - used, " %zu %s", F.live(t),
                                     F.type_name(t));
    FAIL("%s: OpenCL objects still alive after destroying everything:%s", what, list);
}

/* The model's node names, for checking messages. */
static char **node_names;
static size_t n_node_names;

/* Does msg name a node of the model, as "node 'NAME'"? */
static int message_names_node(const char *msg)
{
    for (const char *p = strstr(msg, "node '"); p; p = strstr(p + 1, "node '")) {
        const char *name = p + 6, *end = strchr(name, '\'');
        if (!end) return 0;
        for (size_t i = 0; i < n_node_names; i++)
            if (strlen(node_names[i]) == (size_t)(end - name) &&
                strncmp(node_names[i], name, (size_t)(end - name)) == 0)
                return 1;
    }
    return 0;
}

static unsigned long sweep_one(int kind, unsigned long at, int verbose)
{
    char what[128];
    snprintf(what, sizeof what, "%s #%lu", F.kind_name(kind), at);
    F.arm(kind, at, 0);
    attempt a;
    attempt_run(&a);
    int fired = F.fired();
    if (!fired) {
        /* The call count can vary (e.g. a cache); a fault that never fired must leave success. */
        if (a.st != CLG_OK) FAIL("%s: no fault injected but %s failed: %s", what, a.step, a.msg);
    } else if (a.st == CLG_OK) {
        FAIL("%s: the injected failure was ignored (everything succeeded)", what);
    } else {
        if (!strstr(a.msg, injected_error(kind)))
            FAIL("%s: %s failed with a message that does not name %s: %s", what, a.step,
                 injected_error(kind), a.msg);
        if (names_node(kind) && strcmp(a.step, "clg_context_create") != 0 &&
            !message_names_node(a.msg))
            FAIL("%s: %s failed with a message that names no node: %s", what, a.step, a.msg);
        if (verbose) printf("  %-40s %s: %s\n", what, a.step, a.msg);
    }
    /* The same process must recover: rerun on what survived. */
    clg_status st = CLG_OK;
    if (!a.ctx) st = clg_context_create(NULL, &a.ctx);
    if (st == CLG_OK && !a.model) st = clg_model_load(a.ctx, model_path, &a.model);
    if (st == CLG_OK) st = run_model(a.model);
    if (st != CLG_OK) FAIL("%s: the run after the fault failed: %s", what, clg_last_error());
    destroy_attempt(&a);
    check_live(what);
    return fired;
}

static int cmp_ul(const void *a, const void *b)
{
    unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL.onnx INPUT.npy EXPECTED.npy [PER_KIND [KIND...]]\n", argv[0]);
        return 2;
    }
    if (!lookup()) {
        fprintf(stderr, "fault-sweep: the fault injector is not loaded "
                        "(LD_PRELOAD=.../tests/fault/libclgfault.so)\n");
        return 1;
    }
    model_path = argv[1];
    input_path = argv[2];
    expected_path = argv[3];
    const char *preload = getenv("LD_PRELOAD");
    int under_valgrind = preload && strstr(preload, "vgpreload");
    long per_kind = argc > 4 ? strtol(argv[4], NULL, 10) : under_valgrind ? -1 : 4;
    if (getenv("CLG_FAULT_SWEEP_PER_KIND")) per_kind = strtol(getenv("CLG_FAULT_SWEEP_PER_KIND"), NULL, 10);
    int verbose = getenv("CLG_FAULT_SWEEP_VERBOSE") != NULL;

    if (clg_tensor_load(input_path, &input) != CLG_OK || clg_tensor_load(expected_path, &expected) != CLG_OK) {
        fprintf(stderr, "fault-sweep: %s\n", clg_last_error());
        return 1;
    }

    /* Baseline: count every kind's calls (and kernel names) in one clean attempt. */
    F.arm(-1, 0, 0);
    attempt a;
    attempt_run(&a);
    if (a.st != CLG_OK) {
        fprintf(stderr, "fault-sweep: the baseline failed in %s: %s\n", a.step, a.msg);
        return 1;
    }
    unsigned long count[CLG_FAULT_KINDS];
    for (int k = 0; k < CLG_FAULT_KINDS; k++) count[k] = F.calls(k);
    char **labels[CLG_FAULT_KINDS] = {0};
    unsigned long n_labels[CLG_FAULT_KINDS] = {0};
    for (int k = 0; k < CLG_FAULT_KINDS; k++) {
        unsigned long n = F.label_count(k);
        if (!n || !(labels[k] = calloc(n, sizeof(char *)))) continue;
        for (unsigned long i = 0; i < n; i++) labels[k][i] = strdup(F.label(k, i));
        n_labels[k] = n;
    }
    const clg_graph *graph = clg_model_graph(a.model);
    n_node_names = graph->n_nodes;
    node_names = calloc(n_node_names ? n_node_names : 1, sizeof *node_names);
    for (size_t i = 0; node_names && i < n_node_names; i++) node_names[i] = strdup(graph->nodes[i].name);
    destroy_attempt(&a);
    check_live("the baseline");

    unsigned long total_runs = 0;
    for (int k = 0; k < CLG_FAULT_KINDS; k++) {
        if (argc > 5) {
            int wanted = 0;
            for (int i = 5; i < argc; i++) wanted |= strcmp(argv[i], F.kind_name(k)) == 0;
            if (!wanted) continue;
        }
        unsigned long c = count[k];
        if (c == 0) {
            printf("%-28s   0 calls\n", F.kind_name(k));
            continue;
        }
        /* Which N: the first two, the last two, the first launch of each kernel, evenly spaced ones. */
        unsigned long *ns = malloc((c + 8) * sizeof *ns);
        size_t m = 0;
        if (per_kind == 0) {
            for (unsigned long n = 1; n <= c; n++) ns[m++] = n;
        } else if (per_kind < 0) {
            ns[m++] = 1;
            ns[m++] = c;
        } else {
            ns[m++] = 1;
            ns[m++] = c;
            if (c > 1) ns[m++] = 2, ns[m++] = c - 1;
            unsigned long nl = n_labels[k] < c ? n_labels[k] : c;
            for (unsigned long i = 0; labels[k] && i < nl; i++) {
                int first = 1;
                for (unsigned long j = 0; j < i && first; j++)
                    first = labels[k][i] && labels[k][j] && strcmp(labels[k][i], labels[k][j]) != 0;
                if (first && m < c + 8) ns[m++] = i + 1;
            }
            for (long s = 1; s <= per_kind && m < c + 8; s++) ns[m++] = 1 + (unsigned long)((double)s * (c - 1) / (per_kind + 1));
        }
        qsort(ns, m, sizeof *ns, cmp_ul);
        size_t u = 0;
        for (size_t i = 0; i < m; i++)
            if (ns[i] >= 1 && ns[i] <= c && (u == 0 || ns[u - 1] != ns[i])) ns[u++] = ns[i];
        unsigned long fired = 0;
        int before = failures;
        for (size_t i = 0; i < u; i++) fired += sweep_one(k, ns[i], verbose);
        total_runs += u;
        printf("%-28s %3lu calls, %3zu runs, %3lu faults injected%s\n", F.kind_name(k), c, u, fired,
               failures > before ? "  FAILED" : "");
        fflush(stdout);
        free(ns);
    }
    for (size_t i = 0; node_names && i < n_node_names; i++) free(node_names[i]);
    free(node_names);
    for (int k = 0; k < CLG_FAULT_KINDS; k++) {
        for (unsigned long i = 0; i < n_labels[k]; i++) free(labels[k][i]);
        free(labels[k]);
    }
    clg_tensor_destroy(input);
    clg_tensor_destroy(expected);
    printf("%lu faulted runs, %d failures\n", total_runs, failures);
    return failures ? 1 : 0;
}
