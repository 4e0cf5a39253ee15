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
 * case-insensitive substring of the platform or device name. A type picks
 * the device of that type that the runtime's device table ranks first (PoCL
 * before Intel's CPU runtime before rusticl; list order on a tie). NULL or ""
 * picks the best GPU, else the best device; a simulator (Oclgrind) only
 * when named. No match is
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

/* Host tensors hold at most this many elements (1 GiB of float32); larger
   shapes are refused (CLG_ERR_UNSUPPORTED) before anything is allocated. */
#define CLG_TENSOR_MAX_ELEMENTS ((size_t)1 << 28)

/* Allocates a zeroed tensor; dims are checked for overflow and the limit above. */
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
clg_status clg_image_decode(const void *data, size_t size, const char *name, clg_image **out);
/* Reads and decodes an image file (a missing file is CLG_ERR_IO). */
clg_status clg_image_load(const char *path, clg_image **out);
/* Frees an image made by clg_image_decode / clg_image_load. */
void clg_image_destroy(clg_image *image);
/* 1 when data starts like a PNG or JPEG file, else 0. */
int clg_image_sniff(const void *data, size_t size);
/* 1 when the file starts like a PNG or JPEG file, else 0 (also when unreadable). */
int clg_image_file_sniff(const char *path);

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
clg_status clg_preprocess_from_model(const clg_model *model, clg_preprocess *pp);

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
clg_status clg_preprocess_from_model_with(const clg_model *model,
                                          const clg_preprocess_override *overrides, size_t count,
                                          clg_preprocess *pp);
/*
 * Checks one override's value on its own, before a model is at hand (a
 * list may have up to CLG_PREPROCESS_MAX_CHANNELS values): the errors of a
 * malformed metadata value, naming the override. What depends on the model
 * is checked by clg_preprocess_from_model_with.
 */
clg_status clg_preprocess_check_override(const clg_preprocess_override *override);

/* Preprocesses count images into a new [count, channels, height, width] tensor. */
clg_status clg_preprocess_images(const clg_preprocess *pp, const clg_image *const *images,
                                 size_t count, clg_tensor **out);
/* The same from image files, decoded one at a time, in order. */
clg_status clg_preprocess_files(const clg_preprocess *pp, const char *const *paths, size_t count,
                                clg_tensor **out);

/*
 * The class names of the model's clgooglenet.classes metadata (a comma
 * separated list). *names is one malloc'd block (release with free()); with
 * no such key it is NULL and *count 0.
 */
clg_status clg_model_class_names(const clg_model *model, char ***names, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* CLGOOGLENET_H */
