/*
 * clgooglenet: run GoogLeNet / Inception networks from ONNX files on any
 * OpenCL device.
 *
 * Conventions
 * - Every fallible call returns a clg_status. CLG_OK is zero; on failure a
 *   message saying what went wrong and where is available from
 *   clg_last_error() on the calling thread until its next failing call.
 * - Objects are opaque handles made by a *_create / *_load call and released
 *   by the matching *_destroy, which accepts NULL.
 * - The library never terminates the process.
 *
 * Threads: a clg_context and the models made from it may be used from one
 * thread at a time; distinct contexts are independent.
 */
#ifndef CLGOOGLENET_H
#define CLGOOGLENET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLG_VERSION_STRING "0.1.0"
#define CLG_MAX_RANK 8

typedef enum clg_status {
    CLG_OK = 0,
    CLG_ERR_INVALID_ARGUMENT = -1001, /* a caller passed something unusable */
    CLG_ERR_IO = -1002,               /* a file could not be opened or read */
    CLG_ERR_PARSE = -1003,            /* a file is corrupt or truncated */
    CLG_ERR_UNSUPPORTED = -1004,      /* valid ONNX that this runtime does not run */
    CLG_ERR_SHAPE = -1005,            /* shapes do not fit together */
    CLG_ERR_DEVICE_NOT_FOUND = -1006, /* no OpenCL device matches */
    CLG_ERR_OPENCL = -1007,           /* an OpenCL call failed (message names it) */
    CLG_ERR_OUT_OF_MEMORY = -1008,    /* a host allocation failed */
    CLG_ERR_KERNEL_BUILD = -1009,     /* an OpenCL program failed to build */
} clg_status;

/* A stable name for a status, e.g. "CLG_ERR_PARSE". */
const char *clg_status_to_string(clg_status status);

/* The message of the last failure on this thread ("" if none). */
const char *clg_last_error(void);

/* ---- Devices ---------------------------------------------------------- */

typedef enum clg_device_type {
    CLG_DEVICE_CPU = 1,
    CLG_DEVICE_GPU = 2,
    CLG_DEVICE_ACCELERATOR = 4,
    CLG_DEVICE_OTHER = 8,
} clg_device_type;

typedef struct clg_device_info {
    int index;            /* position in the flat list clgooglenet devices prints */
    int platform_index;   /* P in a "P:D" spec */
    int device_index;     /* D in a "P:D" spec */
    char platform_name[128];
    char device_name[128];
    char driver_version[64];
    char opencl_c_version[64];
    clg_device_type type;
    unsigned compute_units;
    uint64_t global_memory_bytes;
    uint64_t local_memory_bytes;
    int has_fp16;
} clg_device_info;

/* Environment variable that selects the device. */
#define CLG_DEVICE_ENV "CLGOOGLENET_DEVICE"

/* Lists every OpenCL device. *out is malloc'd; release with free(). */
clg_status clg_devices_list(clg_device_info **out, size_t *count);

/*
 * Picks a device from a spec: an index as clgooglenet devices prints it,
 * "P:D" (platform:device), a type ("cpu", "gpu", "accelerator") or a
 * case-insensitive substring of the platform or device name. NULL or ""
 * picks the first GPU, else the first device. No match is
 * CLG_ERR_DEVICE_NOT_FOUND with a message listing the devices.
 */
clg_status clg_device_select(const clg_device_info *devices, size_t count,
                             const char *spec, size_t *chosen);

/* ---- Context ---------------------------------------------------------- */

typedef struct clg_context clg_context;

/* Opens the device chosen by spec (NULL: the CLGOOGLENET_DEVICE variable). */
clg_status clg_context_create(const char *device_spec, clg_context **out);

/* Context flags. */
#define CLG_CONTEXT_PROFILING 1u /* profiling queue, needed for tracing */

/* clg_context_create with flags (CLG_CONTEXT_*). */
clg_status clg_context_create_flags(const char *device_spec, unsigned flags, clg_context **out);
void clg_context_destroy(clg_context *ctx);
const clg_device_info *clg_context_device(const clg_context *ctx);

/* ---- Host tensors ------------------------------------------------------ */

/* A dense float32 tensor in C order, owned by whoever created it. */
typedef struct clg_tensor {
    int rank;
    int64_t dims[CLG_MAX_RANK];
    float *data;
} clg_tensor;

/* Allocates a zeroed tensor; dims are checked for overflow. */
clg_status clg_tensor_create(int rank, const int64_t *dims, clg_tensor **out);
void clg_tensor_destroy(clg_tensor *t);
size_t clg_tensor_element_count(const clg_tensor *t);

/* NumPy .npy (float32 little-endian, C order). */
clg_status clg_tensor_load_npy(const char *path, clg_tensor **out);
clg_status clg_tensor_save_npy(const char *path, const clg_tensor *t);
/* ONNX TensorProto as in ONNX's test data (float32 only). */
clg_status clg_tensor_load_pb(const char *path, clg_tensor **out);
/* Chooses the reader by the file's extension (.npy, .pb). */
clg_status clg_tensor_load(const char *path, clg_tensor **out);

/* ---- Models ------------------------------------------------------------ */

typedef struct clg_model clg_model;

clg_status clg_model_load(clg_context *ctx, const char *path, clg_model **out);
clg_status clg_model_load_memory(clg_context *ctx, const void *data, size_t size,
                                 clg_model **out);
void clg_model_destroy(clg_model *model);

/* Inputs the caller must feed (graph inputs without an initializer). */
typedef struct clg_io_info {
    const char *name; /* valid while the model lives */
    int rank;
    int64_t dims[CLG_MAX_RANK]; /* -1 for a symbolic or unknown dimension */
} clg_io_info;

size_t clg_model_input_count(const clg_model *model);
clg_status clg_model_input_info(const clg_model *model, size_t i, clg_io_info *info);
size_t clg_model_output_count(const clg_model *model);
clg_status clg_model_output_info(const clg_model *model, size_t i, clg_io_info *info);

/*
 * Runs the model. inputs[i] feeds input i. A model declared with batch 1 or
 * a symbolic batch runs at the batch size of the inputs. Device buffers are
 * made once per set of input shapes and reused. outputs[i] receive new
 * tensors the caller destroys.
 */
clg_status clg_model_run(clg_model *model, const clg_tensor *const *inputs, size_t n_inputs,
                         clg_tensor **outputs, size_t n_outputs);

/* ---- Tracing ---------------------------------------------------------- */

/*
 * A trace collects every command a model enqueues (kernels, buffer writes
 * and reads) with OpenCL's profiling timestamps. The model's context must
 * have been made with CLG_CONTEXT_PROFILING.
 */
typedef struct clg_trace clg_trace;

clg_status clg_trace_create(clg_trace **out);
void clg_trace_destroy(clg_trace *trace);
size_t clg_trace_event_count(const clg_trace *trace);

/* Records the commands of each later clg_model_run into trace; NULL stops. */
clg_status clg_model_set_trace(clg_model *model, clg_trace *trace);

/* Chrome trace-event JSON (Perfetto, chrome://tracing). */
clg_status clg_trace_write_json(const clg_trace *trace, const char *path);

/*
 * Per-layer table: node, op, variant, calls, total ms, share, GFLOP/s and,
 * when peak_gflops > 0, the share of that peak; sorted by time.
 */
clg_status clg_trace_print_table(const clg_trace *trace, FILE *out, double peak_gflops);

/* Sum of the device time of all recorded commands, in milliseconds. */
double clg_trace_total_ms(const clg_trace *trace);

/*
 * The device's float32 FMA peak in GFLOP/s, measured once by a small kernel
 * and cached per device and driver under $XDG_CACHE_HOME/clgooglenet/.
 */
clg_status clg_context_peak_gflops(clg_context *ctx, double *gflops);

/* A metadata_props value of the model's ONNX file, or NULL when absent. */
const char *clg_model_metadata(const clg_model *model, const char *key);

/* Device memory of the plan used by the last clg_model_run. */
typedef struct clg_memory_info {
    uint64_t weight_bytes;           /* initializers, shared by all plans */
    uint64_t plan_bytes;             /* buffers of the last plan (inputs + activations) */
    uint64_t activation_bytes;       /* intermediate tensors after memory planning */
    uint64_t naive_activation_bytes; /* the same with one buffer per tensor */
} clg_memory_info;

clg_status clg_model_memory(const clg_model *model, clg_memory_info *info);

/* Device memory the model holds now: weights plus the buffers of its plans. */
uint64_t clg_model_device_bytes(const clg_model *model);

#ifdef __cplusplus
}
#endif

#endif /* CLGOOGLENET_H */
