/*
 * Rewrites an ONNX model into a hostile variant for tests/cli.sh:
 *   hostile-model IN OUT [--dims H W] [--node-name S] [--op-type S]
 *                        [--input-name S] [--meta KEY=VALUE]...
 * --dims sets the input's dims 2 and 3: a number, or a name for a symbolic
 * dimension. Strings may hold escapes: \e (ESC), \r, \a, \xNN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx.pb-c.h"

/* The edited message mixes its own strings with ours, so it is not freed:
   held here until exit, reachable, so leak checkers stay quiet. */
static void *volatile held[64];
static int n_held = 2;

/* Replaces a string of the message, holding the old one. */
static void replace(char **field, char *value)
{
    if (n_held < 64) held[n_held++] = *field;
    *field = value;
}

/* Decodes \e \r \a \n \xNN (the rest as is) into a new string. */
static char *unescape(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    while (*s) {
        if (s[0] == '\\' && s[1] == 'e') *o++ = 27, s += 2;
        else if (s[0] == '\\' && s[1] == 'r') *o++ = '\r', s += 2;
        else if (s[0] == '\\' && s[1] == 'a') *o++ = '\a', s += 2;
        else if (s[0] == '\\' && s[1] == 'n') *o++ = '\n', s += 2;
        else if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
            char hex[3] = {s[2], s[3], 0};
            *o++ = (char)strtol(hex, NULL, 16);
            s += 4;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static void set_dim(Onnx__TensorShapeProto__Dimension *d, const char *v)
{
    char *end;
    long long n = strtoll(v, &end, 10);
    if (*v && !*end) {
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM) replace(&d->dim_param, NULL);
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        d->dim_value = n;
    } else {
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM) replace(&d->dim_param, NULL);
        d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
        d->dim_param = (char *)v;
    }
}

/* Renames value `from` to `to` wherever a node reads it. */
static void rename_uses(Onnx__GraphProto *g, const char *from, char *to)
{
    for (size_t i = 0; i < g->n_node; i++)
        for (size_t k = 0; k < g->node[i]->n_input; k++)
            if (strcmp(g->node[i]->input[k], from) == 0) replace(&g->node[i]->input[k], to);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hostile-model IN OUT [options]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) return perror(argv[1]), 1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) return fprintf(stderr, "short read\n"), 1;
    fclose(f);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, (size_t)n, buf);
    free(buf);
    held[0] = m;
    if (!m || !m->graph || !m->graph->n_input || !m->graph->n_node) return fprintf(stderr, "not a model\n"), 1;
    Onnx__GraphProto *g = m->graph;
    Onnx__ValueInfoProto *in = g->input[0];
    Onnx__StringStringEntryProto **props = calloc(m->n_metadata_props + (size_t)argc, sizeof *props);
    if (m->n_metadata_props) memcpy(props, m->metadata_props, m->n_metadata_props * sizeof *props);
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--dims") && i + 2 < argc) {
            Onnx__TensorShapeProto *s = in->type && in->type->tensor_type ? in->type->tensor_type->shape : NULL;
            if (!s || s->n_dim < 4) return fprintf(stderr, "--dims needs a rank-4 input\n"), 1;
            set_dim(s->dim[2], argv[i + 1]);
            set_dim(s->dim[3], argv[i + 2]);
            i += 2;
        } else if (!strcmp(argv[i], "--node-name") && i + 1 < argc) {
            replace(&g->node[0]->name, unescape(argv[++i]));
        } else if (!strcmp(argv[i], "--op-type") && i + 1 < argc) {
            replace(&g->node[0]->op_type, unescape(argv[++i]));
        } else if (!strcmp(argv[i], "--input-name") && i + 1 < argc) {
            char *name = unescape(argv[++i]);
            rename_uses(g, in->name, name);
            replace(&in->name, name);
        } else if (!strcmp(argv[i], "--meta") && i + 1 < argc) {
            char *kv = unescape(argv[++i]), *eq = strchr(kv, '=');
            if (!eq) return fprintf(stderr, "--meta KEY=VALUE\n"), 2;
            *eq = '\0';
            Onnx__StringStringEntryProto *e = malloc(sizeof *e);
            onnx__string_string_entry_proto__init(e);
            e->key = kv;
            e->value = eq + 1;
            props[m->n_metadata_props++] = e;
        } else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    held[1] = m->metadata_props;
    m->metadata_props = props;
    size_t len = onnx__model_proto__get_packed_size(m);
    unsigned char *out = malloc(len);
    onnx__model_proto__pack(m, out);
    f = fopen(argv[2], "wb");
    if (!f || fwrite(out, 1, len, f) != len || fclose(f) != 0) return perror(argv[2]), 1;
    free(out);
    return 0;
}
