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
 * - Ownership: whatever a call hands out is the caller's until released by
 *   the function named where it is declared: objects by their *_destroy,
 *   plain memory blocks (lists, strings) by clg_free(). Strings inside an
 *   object (names in clg_io_info, metadata values) are borrowed: valid while
 *   the object lives, never freed by the caller. Buffers and structs the
 *   caller passes in stay the caller's; the library keeps no pointer into
 *   them after the call returns unless the declaration says so.
 * - Only the functions declared here (marked CLG_API) are exported by the
 *   shared library; everything else is internal.
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

/* Marks the exported functions (the library is built with hidden visibility). */
#if defined(_WIN32)
#define CLG_API
#elif defined(__GNUC__) || defined(__clang__)
#define CLG_API __attribute__((visibility("default")))
#else
#define CLG_API
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

/* A stable name for a status, e.g. "CLG_ERR_PARSE" (static storage). */
CLG_API const char *clg_status_to_string(clg_status status);

/* The message of the last failure on this thread ("" if none); thread-local
   storage, overwritten by the thread's next failing call; never freed. */
CLG_API const char *clg_last_error(void);

/* The name of the model node the last failure on this thread is about,
   escaped as in clg_last_error ("" when it is about no node); the message
   then starts "node 'NAME' (OP): ". Same storage and lifetime as clg_last_error. */
CLG_API const char *clg_last_error_node(void);

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
    /* 1: cl_khr_fp16 without half arithmetic in the hardware (a CPU device
       on an x86 host without AVX512-FP16): the driver computes half through
       float conversions, and fp16 runs several times slower than fp32. */
    int fp16_emulated;
} clg_device_info;

/* Environment variable that selects the device. */
#define CLG_DEVICE_ENV "CLGOOGLENET_DEVICE"

/* Lists every OpenCL device. *out is one block; release it with clg_free(). */
CLG_API clg_status clg_devices_list(clg_device_info **out, size_t *count);

/*
 * Picks a device from a spec: an index as clgooglenet devices prints it,
 * "P:D" (platform:device), a type ("cpu", "gpu", "accelerator") or a
 * case-insensitive substring of the platform or device name. A type picks
 * the device of that type that the runtime's device table ranks first (PoCL
 * before Intel's CPU runtime before rusticl; list order on a tie). NULL or ""
 * picks the best GPU, else the best device; a simulator (Oclgrind) only
 * when named. No match is
 * CLG_ERR_DEVICE_NOT_FOUND with a message listing the devices.
 */
CLG_API clg_status clg_device_select(const clg_device_info *devices, size_t count,
                             const char *spec, size_t *chosen);

/* What the library knows about a device's driver: its row of the device
   table, which sets the defaults it runs that device with. */
typedef struct clg_device_table_row {
    const char *name; /* short name: "pocl", "intel-cpu", ... (static storage) */
    const char *why;  /* one line on the row's choices (static storage) */
    int timestamps;   /* 1: OpenCL profiling times measure the commands (per-layer trace times) */
} clg_device_table_row;

/* The row that describes a device (a generic row when none matches). */
CLG_API clg_status clg_device_table_row_of(const clg_device_info *device, clg_device_table_row *row);

/*
 * Checks every CLGOOGLENET_* variable the library reads against the values
 * it allows: the first bad one is CLG_ERR_INVALID_ARGUMENT, its message
 * naming the variable and what it takes. Context creation does the same;
 * a program calls this to tell a bad setting apart from a device failure.
 */
CLG_API clg_status clg_env_check(void);

/* ---- Context ---------------------------------------------------------- */

typedef struct clg_context clg_context;

/* Opens the device chosen by spec (NULL: the CLGOOGLENET_DEVICE variable). */
CLG_API clg_status clg_context_create(const char *device_spec, clg_context **out);

/* Context flags. */
#define CLG_CONTEXT_PROFILING 1u /* profiling queue, needed for tracing */

/* clg_context_create with flags (CLG_CONTEXT_*). */
CLG_API clg_status clg_context_create_flags(const char *device_spec, unsigned flags, clg_context **out);
/* Destroy a context only after every model made from it. */
CLG_API void clg_context_destroy(clg_context *ctx);
/* Borrowed: valid while the context lives. */
CLG_API const clg_device_info *clg_context_device(const clg_context *ctx);

/* ---- Host tensors ------------------------------------------------------ */

/*
 * A dense float32 tensor in C order, owned by whoever created it. Tensors the
 * library makes (clg_tensor_create, the loaders, clg_model_run's outputs,
 * clg_preprocess_*) are released with clg_tensor_destroy, which frees the
 * struct and data; a tensor the caller fills in itself (its own struct and
 * buffer, e.g. for clg_model_run_into) must never be passed to it.
 */
typedef struct clg_tensor {
    int rank;
    int64_t dims[CLG_MAX_RANK];
    float *data;
} clg_tensor;

/* Host tensors hold at most this many elements (1 GiB of float32); larger
   shapes are refused (CLG_ERR_UNSUPPORTED) before anything is allocated. */
#define CLG_TENSOR_MAX_ELEMENTS ((size_t)1 << 28)

/* Allocates a zeroed tensor; dims are checked for overflow and the limit above. */
CLG_API clg_status clg_tensor_create(int rank, const int64_t *dims, clg_tensor **out);
CLG_API void clg_tensor_destroy(clg_tensor *t);
CLG_API size_t clg_tensor_element_count(const clg_tensor *t);

/* NumPy .npy (float32 little-endian, C order). Loaders return new tensors. */
CLG_API clg_status clg_tensor_load_npy(const char *path, clg_tensor **out);
CLG_API clg_status clg_tensor_save_npy(const char *path, const clg_tensor *t);
/* ONNX TensorProto as in ONNX's test data (float32 only). */
CLG_API clg_status clg_tensor_load_pb(const char *path, clg_tensor **out);
/* Chooses the reader by the file's extension (.npy, .pb). */
CLG_API clg_status clg_tensor_load(const char *path, clg_tensor **out);

/* ---- Models ------------------------------------------------------------ */

typedef struct clg_model clg_model;

/* A model keeps a pointer to ctx: the context must outlive it. The file or
   memory is read during the call only. */
CLG_API clg_status clg_model_load(clg_context *ctx, const char *path, clg_model **out);
CLG_API clg_status clg_model_load_memory(clg_context *ctx, const void *data, size_t size,
                                 clg_model **out);
CLG_API void clg_model_destroy(clg_model *model);

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum clg_elem_type {
    CLG_ELEM_UNDEFINED = 0,
    CLG_ELEM_FLOAT32 = 1, /* what the runtime computes in; every tensor's data is float32 */
    CLG_ELEM_FLOAT16 = 10,  /* declared so in the model: fed and returned as float32 data */
    CLG_ELEM_BFLOAT16 = 16, /* the same */
} clg_elem_type;

/* clg_tensor_save_npy as `type`: CLG_ELEM_FLOAT16 writes '<f2' (each value rounded
   to the nearest float16, ties to even); any other type writes float32 ('<f4'). */
CLG_API clg_status clg_tensor_save_npy_as(const char *path, const clg_tensor *t, clg_elem_type type);

/*
 * An input or output as the model declares it, known right after load.
 * rank is -1 only when the file declares no shape and none can be inferred
 * from the declared inputs. A symbolic dimension is -1 in dims with its
 * name in dim_names (e.g. "batch"), or NULL when the file gives no name.
 */
typedef struct clg_io_info {
    const char *name; /* borrowed: valid while the model lives */
    int rank;
    int64_t dims[CLG_MAX_RANK]; /* -1 for a symbolic or unknown dimension */
    clg_elem_type type;
    const char *dim_names[CLG_MAX_RANK]; /* borrowed; NULL for a fixed or unnamed dimension */
} clg_io_info;

/* Inputs the caller must feed (graph inputs without an initializer). */
CLG_API size_t clg_model_input_count(const clg_model *model);
CLG_API clg_status clg_model_input_info(const clg_model *model, size_t i, clg_io_info *info);
CLG_API size_t clg_model_output_count(const clg_model *model);
CLG_API clg_status clg_model_output_info(const clg_model *model, size_t i, clg_io_info *info);

/*
 * Runs the model. inputs[i] feeds input i. A model declared with batch 1 or
 * a symbolic batch runs at the batch size of the inputs. Device buffers are
 * made once per set of input shapes and reused. outputs[i] receive new
 * tensors the caller destroys.
 */
CLG_API clg_status clg_model_run(clg_model *model, const clg_tensor *const *inputs, size_t n_inputs,
                         clg_tensor **outputs, size_t n_outputs);

/* ---- Tracing ---------------------------------------------------------- */

/*
 * A trace collects every command a model enqueues (kernels, buffer writes
 * and reads) with OpenCL's profiling timestamps. The model's context must
 * have been made with CLG_CONTEXT_PROFILING.
 */
typedef struct clg_trace clg_trace;

CLG_API clg_status clg_trace_create(clg_trace **out);
CLG_API void clg_trace_destroy(clg_trace *trace);
CLG_API size_t clg_trace_event_count(const clg_trace *trace);

/* Records the commands of each later run into trace; NULL stops. The model
   borrows the trace: keep it alive, or detach it, until the model's last run. */
CLG_API clg_status clg_model_set_trace(clg_model *model, clg_trace *trace);

/* Chrome trace-event JSON (Perfetto, chrome://tracing). */
CLG_API clg_status clg_trace_write_json(const clg_trace *trace, const char *path);

/*
 * Per-layer table: node, op, variant, calls, total ms, share, GFLOP/s and,
 * when peak_gflops > 0, the share of that peak; sorted by time.
 */
CLG_API clg_status clg_trace_print_table(const clg_trace *trace, FILE *out, double peak_gflops);

/* Sum of the device time of all recorded commands, in milliseconds. */
CLG_API double clg_trace_total_ms(const clg_trace *trace);

/*
 * The device's float32 FMA peak in GFLOP/s, measured once by a small kernel
 * and cached per device and driver under $XDG_CACHE_HOME/clgooglenet/.
 */
CLG_API clg_status clg_context_peak_gflops(clg_context *ctx, double *gflops);

/* A metadata_props value of the model's ONNX file, or NULL when absent
   (borrowed: valid while the model lives). */
CLG_API const char *clg_model_metadata(const clg_model *model, const char *key);

/* Device memory of the plan used by the last clg_model_run. */
typedef struct clg_memory_info {
    uint64_t weight_bytes;           /* initializers, shared by all plans */
    uint64_t plan_bytes;             /* buffers of the last plan (inputs + activations) */
    uint64_t activation_bytes;       /* intermediate tensors after memory planning */
    uint64_t naive_activation_bytes; /* the same with one buffer per tensor */
} clg_memory_info;

CLG_API clg_status clg_model_memory(const clg_model *model, clg_memory_info *info);

/* Device memory the model holds now: weights plus the buffers of its plans. */
CLG_API uint64_t clg_model_device_bytes(const clg_model *model);

/* ---- Images and preprocessing ------------------------------------------ */

/* A decoded 8-bit image: rows top to bottom, channels interleaved. */
typedef struct clg_image {
    int width;
    int height;
    int channels;          /* 1: gray, 3: RGB */
    unsigned char *pixels; /* width * height * channels bytes */
} clg_image;

/* Larger images are refused (CLG_ERR_UNSUPPORTED) before pixels are allocated. */
#define CLG_IMAGE_MAX_SIDE 16384
#define CLG_IMAGE_MAX_PIXELS 100000000

/*
 * Decodes a PNG (libpng) or JPEG (TurboJPEG) image, recognised by its first
 * bytes, not by a file name. Gray files give 1 channel, colour files 3 (RGB);
 * transparent pixels are composited onto black; 16-bit PNGs are reduced to 8
 * bits; JPEG EXIF orientation is not applied. `name` (a path, or NULL)
 * starts error messages. A corrupt or truncated file (a JPEG decoder warning
 * included) is CLG_ERR_PARSE with the decoder's reason; another format,
 * CMYK JPEG or an image over the size limits is CLG_ERR_UNSUPPORTED.
 */
CLG_API clg_status clg_image_decode(const void *data, size_t size, const char *name, clg_image **out);
/* Reads and decodes an image file (a missing file is CLG_ERR_IO). */
CLG_API clg_status clg_image_load(const char *path, clg_image **out);
/* Frees an image made by clg_image_decode / clg_image_load. */
CLG_API void clg_image_destroy(clg_image *image);
/* 1 when data starts like a PNG or JPEG file, else 0. */
CLG_API int clg_image_sniff(const void *data, size_t size);
/* 1 when the file starts like a PNG or JPEG file, else 0 (also when unreadable). */
CLG_API int clg_image_file_sniff(const char *path);

/*
 * How images become a model input: each image is converted to `channels`
 * (RGB to gray by the 8-bit ITU-R 601 luma of PIL's convert('L'); gray to
 * RGB by copying), multiplied by `scale`, resized with PyTorch's bilinear
 * interpolation (align_corners=False, no antialias), normalised per channel
 * as (x - mean) / std, and laid out NCHW float32 at height x width.
 *
 * With resize_shorter 0 the resize goes straight to height x width. With
 * resize_shorter S > 0 it is torchvision's Resize(S) then CenterCrop((height,
 * width)) on tensors: the shorter side becomes S, the longer int(S * long /
 * short), and the crop starts at int(round((resized - crop) / 2.0)) (Python's
 * round, halves to even); an image whose resize is smaller than the crop is
 * CLG_ERR_SHAPE (torchvision would pad it).
 */
#define CLG_PREPROCESS_MAX_CHANNELS 3
typedef struct clg_preprocess {
    int channels;      /* 1 or 3 */
    int height, width; /* the size of each image in the batch */
    int bgr;           /* 3 channels: feed B, G, R instead of R, G, B */
    double scale;
    float mean[CLG_PREPROCESS_MAX_CHANNELS];
    float std[CLG_PREPROCESS_MAX_CHANNELS];
    int resize_shorter; /* > 0: shorter side to this, then center crop; 0: off */
} clg_preprocess;

/*
 * Reads the preprocessing from the model's metadata_props, for a model with
 * one rank-4 NCHW input:
 *   clgooglenet.input_channels  "1" or "3"     default: the input's dim 1
 *   clgooglenet.resize          "HxW"          default: the input's dims 2, 3
 *   clgooglenet.resize_shorter  "S"            resize the shorter side to S
 *                                              (aspect kept), then center crop
 *   clgooglenet.center_crop     "N" or "HxW"   that crop; default and required
 *                                              value: the input's dims 2, 3
 *   clgooglenet.resize_method   "bilinear"     (the only one)
 *   clgooglenet.resize_align_corners, clgooglenet.resize_antialias  "0" (only)
 *   clgooglenet.input_layout    "NCHW"         (the only one)
 *   clgooglenet.scale           a number       default 1/255
 *   clgooglenet.mean, .std      one number, or one per channel "a,b,c"
 *                                              default 0 and 1
 *   clgooglenet.channel_order   "RGB" or "BGR" default RGB
 * resize and resize_shorter exclude each other; center_crop needs
 * resize_shorter. A malformed value is CLG_ERR_PARSE naming the key; a value
 * this runtime does not implement is CLG_ERR_UNSUPPORTED; a value that
 * contradicts the model's input shape (a crop other than its height and
 * width included) is CLG_ERR_SHAPE.
 */
CLG_API clg_status clg_preprocess_from_model(const clg_model *model, clg_preprocess *pp);

/* A setting that takes the place of the model's metadata value for `key`. */
typedef struct clg_preprocess_override {
    const char *key;   /* one of the clgooglenet.* keys above */
    const char *value; /* written as the metadata would hold it, e.g. "0.485,0.456,0.406" */
    const char *name;  /* what error messages call it, e.g. "--mean"; NULL: the key */
} clg_preprocess_override;

/*
 * clg_preprocess_from_model with the `count` overrides (a command line's
 * flags, say) in place of the model's values; for a key given twice the
 * last one counts. An overriding resize_shorter drops the model's resize;
 * an overriding resize drops its resize_shorter and center_crop. An unknown
 * key is CLG_ERR_INVALID_ARGUMENT; other errors are those above, naming
 * the override.
 */
CLG_API clg_status clg_preprocess_from_model_with(const clg_model *model,
                                          const clg_preprocess_override *overrides, size_t count,
                                          clg_preprocess *pp);
/*
 * Checks one override's value on its own, before a model is at hand (a
 * list may have up to CLG_PREPROCESS_MAX_CHANNELS values): the errors of a
 * malformed metadata value, naming the override. What depends on the model
 * is checked by clg_preprocess_from_model_with.
 */
CLG_API clg_status clg_preprocess_check_override(const clg_preprocess_override *override);

/* Preprocesses count images into a new [count, channels, height, width] tensor
   (release with clg_tensor_destroy); the images stay the caller's. */
CLG_API clg_status clg_preprocess_images(const clg_preprocess *pp, const clg_image *const *images,
                                 size_t count, clg_tensor **out);
/* The same from image files, decoded one at a time, in order. */
CLG_API clg_status clg_preprocess_files(const clg_preprocess *pp, const char *const *paths, size_t count,
                                clg_tensor **out);

/*
 * The class names of the model's clgooglenet.classes metadata (a comma
 * separated list). *names is one block (release it with clg_free()); with
 * no such key it is NULL and *count 0.
 */
CLG_API clg_status clg_model_class_names(const clg_model *model, char ***names, size_t *count);

/* ---- Embedding: version, memory, context options, runs, plans ----------- */

/* The library's version at run time, e.g. "0.1.0" (CLG_VERSION_STRING is the header's). */
CLG_API const char *clg_version(void);

/*
 * Releases a block the library handed out as plain memory: the device list
 * of clg_devices_list, the names of clg_model_class_names, the text of
 * clg_trace_table. NULL is accepted. Objects (tensors, images, models,
 * contexts, traces) are released by their own *_destroy instead.
 */
CLG_API void clg_free(void *ptr);

/* How kernel variants are chosen (CLGOOGLENET_TUNE). */
typedef enum clg_tuning_mode {
    CLG_TUNING_DEFAULT = 0, /* from CLGOOGLENET_TUNE, else CLG_TUNING_CACHED */
    CLG_TUNING_OFF,         /* heuristics only, the tuning cache is ignored */
    CLG_TUNING_CACHED,      /* cached winners, else heuristics (no timing) */
    CLG_TUNING_ON,          /* also time what is not cached and store the winners */
    CLG_TUNING_FORCE,       /* retime every shape */
} clg_tuning_mode;

/*
 * The number format of a context's weights and activations. FP16 stores
 * both in IEEE half; the CPU family's convolutions multiply and sum in half
 * within channel blocks, everything else (Winograd transforms, the other
 * convolutions, pooling, softmax, normalisation, Gemm) computes in float
 * (README: Half precision). It needs a device with cl_khr_fp16: a context
 * asked for it on any other device is not made (CLG_ERR_UNSUPPORTED naming
 * the device). Inputs and outputs stay float32 tensors either way.
 */
typedef enum clg_precision {
    CLG_PRECISION_DEFAULT = 0, /* from CLGOOGLENET_PRECISION, else CLG_PRECISION_FP32 */
    CLG_PRECISION_FP32,
    CLG_PRECISION_FP16,
} clg_precision;

/*
 * Everything a context can be told. Zero (or clg_context_options_init) is
 * "the default" in every field: a field left at zero takes its environment
 * variable, and else the built-in default. A field that is set wins over
 * its variable. The variables are read once, when the context is made: one
 * changed later does not change that context (make a new one).
 * The context copies the strings; the struct may be released after
 * clg_context_create_with_options returns.
 */
typedef struct clg_context_options {
    const char *device;      /* a spec as for clg_device_select; NULL: CLGOOGLENET_DEVICE */
    unsigned flags;          /* CLG_CONTEXT_* */
    int queues;              /* in-order queues, 1 to 4; 0: CLGOOGLENET_QUEUES, else per plan:
                                4 for batch 1 on PoCL, 1 otherwise */
    clg_tuning_mode tuning;  /* CLG_TUNING_DEFAULT: CLGOOGLENET_TUNE */
    /*
     * Convolution kernel family: "cpu" (explicit vectors per work-item, what
     * PoCL vectorises well) or "simt" (work-group tiles in local memory, for
     * GPUs); "auto" lets the device table pick; NULL: CLGOOGLENET_KERNELS.
     */
    const char *kernel_family;
    /* Forces one convolution family for A/B runs: "legacy", "kvec", "wino",
       "wino2", "lanes", "plane"; NULL: CLGOOGLENET_CONV, else chosen per layer. */
    const char *conv_algorithm;
    /* Forces one matrix product: "clblast" or "kernel"; NULL: CLGOOGLENET_GEMM. */
    const char *gemm;
    /* Optimisation passes switched off: a comma-separated list of pass
       numbers ("0,3"), "all", or "" for none; NULL: CLGOOGLENET_PASSES_OFF
       and CLGOOGLENET_NO_FUSION. */
    const char *passes_off;
    /* Directory of cl/ sources to build instead of the embedded copies;
       NULL: CLGOOGLENET_KERNEL_DIR; "": the embedded copies. */
    const char *kernel_dir;
    /* On-disk store of compiled programs: 1 on, -1 off; 0: CLGOOGLENET_PROGRAM_CACHE
       (0/off, 1/on), else the device table's choice (on where the driver keeps
       no kernel cache of its own). */
    int program_cache;
    /* Plans each model keeps (one per distinct set of input shapes, least
       recently used evicted); 0: 4. clg_model_set_plan_limit changes one model. */
    size_t max_plans;
    clg_precision precision; /* CLG_PRECISION_DEFAULT: CLGOOGLENET_PRECISION */
} clg_context_options;

/* Sets every field to its default (zero). */
CLG_API void clg_context_options_init(clg_context_options *options);

/*
 * Creates a context from options (NULL: all defaults). A malformed setting
 * is CLG_ERR_INVALID_ARGUMENT naming the field, or the variable it came from.
 */
CLG_API clg_status clg_context_create_with_options(const clg_context_options *options,
                                                   clg_context **out);

/*
 * The options the caller gave the context (strings borrowed from the
 * context): a field left to its environment variable stays zero/NULL here,
 * except queues, which shows the count in use (0 when no count was asked:
 * each plan chooses, as for options.queues = 0).
 */
CLG_API clg_status clg_context_get_options(const clg_context *ctx, clg_context_options *options);

/* The number format the context runs in (the option, else CLGOOGLENET_PRECISION,
   else CLG_PRECISION_FP32); never CLG_PRECISION_DEFAULT. */
CLG_API clg_precision clg_context_precision(const clg_context *ctx);

/*
 * 1 when an fp16 context computes in half; 0 when it computes in float on its
 * half data (weights and activations stay half in memory), which it does on
 * devices whose half arithmetic is emulated (clg_device_info.fp16_emulated:
 * there float math is several times faster and more accurate) unless
 * CLGOOGLENET_HALF_MATH=half|float says otherwise; 0 for fp32 contexts.
 */
CLG_API int clg_context_half_arithmetic(const clg_context *ctx);

/*
 * The output shapes a run with inputs of these shapes gives (only the
 * rank and dims of inputs[i] are read; data may be NULL). Plans for the
 * shapes when no kept plan fits: the cost of the first run moves here.
 */
CLG_API clg_status clg_model_output_shapes(clg_model *model, const clg_tensor *const *inputs,
                                           size_t n_inputs, clg_io_info *outputs, size_t n_outputs);

/*
 * Runs the model into the caller's tensors: outputs[i]->dims must equal the
 * shape clg_model_output_shapes gives (else CLG_ERR_SHAPE, naming both) and
 * outputs[i]->data must hold that many floats. Nothing is allocated for the
 * results; the caller keeps ownership of inputs and outputs. On failure the
 * outputs' contents are unspecified.
 */
CLG_API clg_status clg_model_run_into(clg_model *model, const clg_tensor *const *inputs,
                                      size_t n_inputs, clg_tensor *const *outputs,
                                      size_t n_outputs);

/*
 * How many plans the model keeps (at least 1). A plan is a compiled,
 * allocated copy of the network for one set of input shapes: making one
 * costs 0.5 to 4 s on a CPU device (kernels built per shape), so a caller
 * that feeds many shapes should raise this or use batch buckets. Plans
 * beyond the new limit are released, least recently used first.
 */
CLG_API clg_status clg_model_set_plan_limit(clg_model *model, size_t max_plans);

/*
 * Batch buckets: a run whose inputs have batch n (dimension 0 of every
 * input) runs on the plan of the smallest bucket >= n, its inputs padded
 * with zeros to the bucket's batch, and the outputs keep their first n
 * rows. Batches larger than every bucket run at their own size. So one
 * plan serves every batch from 1 to the largest bucket, e.g. {64}, or
 * {1, 8, 64} to bound the padding cost (a batch of 9 on the 64 bucket does
 * the work of 64). Valid only for networks whose batch items do not mix
 * (every GoogLeNet does: no op reduces across dimension 0); a model whose
 * outputs do not keep the batch as dimension 0 fails with CLG_ERR_SHAPE.
 * sizes must be ascending and positive (at most 16); count 0 turns buckets off.
 */
#define CLG_MAX_BATCH_BUCKETS 16
CLG_API clg_status clg_model_set_batch_buckets(clg_model *model, const int64_t *sizes,
                                               size_t count);

/* How many plans the model holds now. */
CLG_API size_t clg_model_plan_count(const clg_model *model);

/*
 * The per-layer table of clg_trace_print_table as text: *out is one block
 * the caller releases with clg_free().
 */
CLG_API clg_status clg_trace_table(const clg_trace *trace, double peak_gflops, char **out);

#ifdef __cplusplus
}
#endif

#endif /* CLGOOGLENET_H */
