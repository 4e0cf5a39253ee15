/*
 * Device enumeration and selection.
 *
 * clg_devices_list flattens every device of every OpenCL platform into one
 * list; clg_device_select picks one entry of such a list from a user spec
 * (CLGOOGLENET_DEVICE). Selection makes no OpenCL calls so it can be tested
 * and fuzzed on synthetic lists.
 */
#include "device.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_table.h"
#include "error.h"

/* Returned by the ICD loader when no vendor ICD is installed (cl_khr_icd). */
#ifndef CL_PLATFORM_NOT_FOUND_KHR
#define CL_PLATFORM_NOT_FOUND_KHR -1001
#endif

#define NO_PLATFORM_MESSAGE "no OpenCL platform found (is an ICD such as pocl-opencl-icd installed?)"

/* Longest spec echoed back in an error message; the rest is elided. */
#define SPEC_ECHO_MAX 200

const char *clg_device_type_name(clg_device_type t)
{
    switch (t) {
    case CLG_DEVICE_CPU: return "cpu";
    case CLG_DEVICE_GPU: return "gpu";
    case CLG_DEVICE_ACCELERATOR: return "accelerator";
    case CLG_DEVICE_OTHER: return "other";
    }
    return "other";
}

/* ---- Small string helpers (ASCII only, independent of the C locale) ---- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

/* strlen that never reads past cap: names in a caller's array may lack a NUL. */
static size_t bounded_len(const char *s, size_t cap)
{
    size_t n = 0;
    while (n < cap && s[n] != '\0') n++;
    return n;
}

/* Case-insensitive equality of s[0..len) with a NUL-terminated word. */
static int equals_ci(const char *s, size_t len, const char *word)
{
    for (size_t i = 0; i < len; i++)
        if (word[i] == '\0' || to_lower(s[i]) != to_lower(word[i])) return 0;
    return word[len] == '\0';
}

/* Case-insensitive substring search (strcasestr is a GNU extension). */
static int contains_ci(const char *hay, size_t hay_len, const char *needle, size_t needle_len)
{
    if (needle_len > hay_len) return 0;
    for (size_t start = 0; start + needle_len <= hay_len; start++) {
        size_t i = 0;
        while (i < needle_len && to_lower(hay[start + i]) == to_lower(needle[i])) i++;
        if (i == needle_len) return 1;
    }
    return 0;
}

/*
 * Whether s[0..len) is a non-empty run of digits. *value gets the number, or
 * SIZE_MAX when it does not fit; SIZE_MAX is never a valid index or platform
 * number, so an overflowing spec simply matches nothing.
 */
static int parse_digits(const char *s, size_t len, size_t *value)
{
    size_t v = 0;
    if (len == 0) return 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i])) return 0;
        size_t d = (size_t)(s[i] - '0');
        v = (v > (SIZE_MAX - d) / 10) ? SIZE_MAX : v * 10 + d;
    }
    *value = v;
    return 1;
}

/* Whether the space-separated extension list names ext exactly. */
static int has_extension(const char *list, const char *ext)
{
    size_t ext_len = strlen(ext);
    const char *p = list;
    while (*p) {
        while (*p == ' ') p++;
        size_t n = 0;
        while (p[n] != '\0' && p[n] != ' ') n++;
        if (n == ext_len && memcmp(p, ext, n) == 0) return 1;
        p += n;
    }
    return 0;
}

/*
 * Copies src into dst[cap] without surrounding whitespace (some drivers pad
 * names), truncating at a UTF-8 character boundary so the result stays valid.
 */
static void copy_truncated(char *dst, size_t cap, const char *src)
{
    size_t len = strlen(src);
    while (len > 0 && is_space(*src)) src++, len--;
    while (len > 0 && is_space(src[len - 1])) len--;
    if (len >= cap) {
        len = cap - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80) len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* ---- OpenCL queries ----------------------------------------------------- */

static clg_status cl_fail(cl_int err, const char *call)
{
    return clg_fail(CLG_ERR_OPENCL, "%s failed: %s (%d)", call, clg_cl_error_name(err), (int)err);
}

/*
 * Reads a string property of a platform (device == NULL) or a device at
 * whatever length the driver has it: a fixed buffer that is too small makes
 * the call fail with CL_INVALID_VALUE instead of truncating. *out is malloc'd.
 */
static clg_status get_string(cl_platform_id platform, cl_device_id device, cl_uint param,
                             const char *param_name, char **out)
{
    const char *call = device ? "clGetDeviceInfo" : "clGetPlatformInfo";
    size_t size = 0;
    cl_int err = device ? clGetDeviceInfo(device, param, 0, NULL, &size)
                        : clGetPlatformInfo(platform, param, 0, NULL, &size);
    if (err != CL_SUCCESS)
        return clg_fail(CLG_ERR_OPENCL, "%s(%s) failed: %s (%d)", call, param_name,
                        clg_cl_error_name(err), (int)err);
    if (size == SIZE_MAX) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s(%s): absurd size", call, param_name);
    char *s = malloc(size + 1);
    if (!s) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory reading %s", param_name);
    err = device ? clGetDeviceInfo(device, param, size, s, NULL)
                 : clGetPlatformInfo(platform, param, size, s, NULL);
    if (err != CL_SUCCESS) {
        free(s);
        return clg_fail(CLG_ERR_OPENCL, "%s(%s) failed: %s (%d)", call, param_name,
                        clg_cl_error_name(err), (int)err);
    }
    s[size] = '\0'; /* in case the driver did not terminate it */
    *out = s;
    return CLG_OK;
}

/* Reads a fixed-size device property (cl_uint, cl_ulong, bitfield). */
static clg_status get_value(cl_device_id device, cl_uint param, const char *param_name,
                            void *value, size_t size)
{
    cl_int err = clGetDeviceInfo(device, param, size, value, NULL);
    if (err != CL_SUCCESS)
        return clg_fail(CLG_ERR_OPENCL, "clGetDeviceInfo(%s) failed: %s (%d)", param_name,
                        clg_cl_error_name(err), (int)err);
    return CLG_OK;
}

#define GET_STRING(platform, device, param, out) get_string(platform, device, param, #param, out)
#define GET_VALUE(device, param, var) get_value(device, param, #param, &(var), sizeof(var))

/* All platform ids; no ICD or no platform is CLG_ERR_DEVICE_NOT_FOUND. */
static clg_status get_platforms(cl_platform_id **out, cl_uint *count)
{
    cl_uint n = 0;
    cl_int err = clGetPlatformIDs(0, NULL, &n);
    if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && n == 0))
        return clg_fail(CLG_ERR_DEVICE_NOT_FOUND, NO_PLATFORM_MESSAGE);
    if (err != CL_SUCCESS) return cl_fail(err, "clGetPlatformIDs");

    cl_platform_id *ids = malloc(n * sizeof *ids);
    if (!ids) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory listing %u OpenCL platforms", n);
    cl_uint got = 0;
    err = clGetPlatformIDs(n, ids, &got);
    if (err != CL_SUCCESS) {
        free(ids);
        return cl_fail(err, "clGetPlatformIDs");
    }
    *out = ids;
    *count = got < n ? got : n;
    return CLG_OK;
}

/* All device ids of a platform; a platform without devices yields 0 of them. */
static clg_status get_devices(cl_platform_id platform, cl_device_id **out, cl_uint *count)
{
    cl_uint n = 0;
    cl_int err = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, NULL, &n);
    if (err == CL_DEVICE_NOT_FOUND || (err == CL_SUCCESS && n == 0)) {
        *out = NULL;
        *count = 0;
        return CLG_OK;
    }
    if (err != CL_SUCCESS) return cl_fail(err, "clGetDeviceIDs");

    cl_device_id *ids = malloc(n * sizeof *ids);
    if (!ids) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory listing %u OpenCL devices", n);
    cl_uint got = 0;
    err = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, n, ids, &got);
    if (err != CL_SUCCESS) {
        free(ids);
        return cl_fail(err, "clGetDeviceIDs");
    }
    *out = ids;
    *count = got < n ? got : n;
    return CLG_OK;
}

static clg_device_type map_type(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU) return CLG_DEVICE_GPU;
    if (t & CL_DEVICE_TYPE_CPU) return CLG_DEVICE_CPU;
    if (t & CL_DEVICE_TYPE_ACCELERATOR) return CLG_DEVICE_ACCELERATOR;
    return CLG_DEVICE_OTHER;
}

/*
 * Whether this host's CPU computes in half: on x86 only with AVX512-FP16.
 * A CPU device is this CPU, and without it Intel's CPU runtime, which
 * still reports cl_khr_fp16 and a native half vector width of 32, converts
 * every half operation to float and back (AMD EPYC, Zen 4: the d2l
 * GoogLeNet at batch 1 in 21.4 ms with fp16 against 3.4-4.2 with fp32).
 * Other architectures: assumed to (ARM CPUs with fp16 have the arithmetic).
 */
static int host_half_arithmetic(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512fp16") != 0;
#elif defined(__x86_64__) || defined(__i386__)
    return 0; /* no portable check; conversions are the likely case */
#else
    return 1;
#endif
}

/* Fills the device-specific fields of info (indices and platform name are the caller's). */
static clg_status fill_device(cl_device_id device, clg_device_info *info)
{
    const struct {
        cl_uint param;
        const char *name;
        char *dst;
        size_t cap;
    } strings[] = {
        {CL_DEVICE_NAME, "CL_DEVICE_NAME", info->device_name, sizeof info->device_name},
        {CL_DRIVER_VERSION, "CL_DRIVER_VERSION", info->driver_version, sizeof info->driver_version},
        {CL_DEVICE_OPENCL_C_VERSION, "CL_DEVICE_OPENCL_C_VERSION", info->opencl_c_version,
         sizeof info->opencl_c_version},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        char *s = NULL;
        CLG_TRY(get_string(NULL, device, strings[i].param, strings[i].name, &s));
        copy_truncated(strings[i].dst, strings[i].cap, s);
        free(s);
    }

    cl_device_type type = 0;
    cl_uint units = 0;
    cl_ulong global_mem = 0, local_mem = 0;
    CLG_TRY(GET_VALUE(device, CL_DEVICE_TYPE, type));
    CLG_TRY(GET_VALUE(device, CL_DEVICE_MAX_COMPUTE_UNITS, units));
    CLG_TRY(GET_VALUE(device, CL_DEVICE_GLOBAL_MEM_SIZE, global_mem));
    CLG_TRY(GET_VALUE(device, CL_DEVICE_LOCAL_MEM_SIZE, local_mem));
    info->type = map_type(type);
    info->compute_units = units;
    info->global_memory_bytes = global_mem;
    info->local_memory_bytes = local_mem;

    char *extensions = NULL;
    CLG_TRY(GET_STRING(NULL, device, CL_DEVICE_EXTENSIONS, &extensions));
    info->has_fp16 = has_extension(extensions, "cl_khr_fp16");
    free(extensions);
    info->fp16_emulated = info->has_fp16 && info->type == CLG_DEVICE_CPU && !host_half_arithmetic();
    return CLG_OK;
}

/* Appends the devices of platform number p to *list (realloc'd; *n grows). */
static clg_status list_platform(cl_platform_id platform, cl_uint p, clg_device_info **list,
                                size_t *n)
{
    char *platform_name = NULL;
    CLG_TRY(GET_STRING(platform, NULL, CL_PLATFORM_NAME, &platform_name));

    cl_device_id *ids = NULL;
    cl_uint n_ids = 0;
    clg_status st = get_devices(platform, &ids, &n_ids);
    if (st != CLG_OK || n_ids == 0) goto done;

    if (*n + n_ids > SIZE_MAX / sizeof **list) {
        st = clg_fail(CLG_ERR_OUT_OF_MEMORY, "too many OpenCL devices");
        goto done;
    }
    clg_device_info *grown = realloc(*list, (*n + n_ids) * sizeof **list);
    if (!grown) {
        st = clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory listing OpenCL devices");
        goto done;
    }
    *list = grown;

    for (cl_uint d = 0; d < n_ids; d++) {
        clg_device_info *info = &grown[*n];
        memset(info, 0, sizeof *info);
        info->index = (int)*n;
        info->platform_index = (int)p;
        info->device_index = (int)d;
        copy_truncated(info->platform_name, sizeof info->platform_name, platform_name);
        st = fill_device(ids[d], info);
        if (st != CLG_OK) {
            clg_fail_context(st, "OpenCL device %u:%u", p, d);
            goto done;
        }
        (*n)++;
    }
done:
    free(ids);
    free(platform_name);
    return st;
}

clg_status clg_devices_list(clg_device_info **out, size_t *count)
{
    if (!out || !count)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_devices_list: out and count must not be NULL");
    *out = NULL;
    *count = 0;

    cl_platform_id *platforms = NULL;
    cl_uint n_platforms = 0;
    CLG_TRY(get_platforms(&platforms, &n_platforms));

    clg_device_info *list = NULL;
    size_t n = 0;
    clg_status st = CLG_OK;
    for (cl_uint p = 0; p < n_platforms && st == CLG_OK; p++)
        st = list_platform(platforms[p], p, &list, &n);
    free(platforms);

    if (st == CLG_OK && n == 0)
        st = clg_fail(CLG_ERR_DEVICE_NOT_FOUND,
                      "%u OpenCL platform(s) found, but none has a device", n_platforms);
    if (st != CLG_OK) {
        free(list);
        return st;
    }
    *out = list;
    *count = n;
    return CLG_OK;
}

clg_status clg_device_open(const clg_device_info *info, cl_platform_id *platform,
                           cl_device_id *device)
{
    if (!info || !platform || !device)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_device_open: arguments must not be NULL");

    cl_platform_id *platforms = NULL;
    cl_uint n_platforms = 0;
    CLG_TRY(get_platforms(&platforms, &n_platforms));

    cl_device_id *ids = NULL;
    cl_uint n_ids = 0;
    char *name = NULL;
    clg_status st;
    if (info->platform_index < 0 || (cl_uint)info->platform_index >= n_platforms) {
        st = clg_fail(CLG_ERR_DEVICE_NOT_FOUND, "OpenCL platform %d no longer exists (%u found)",
                      info->platform_index, n_platforms);
        goto done;
    }
    st = get_devices(platforms[info->platform_index], &ids, &n_ids);
    if (st != CLG_OK) goto done;
    if (info->device_index < 0 || (cl_uint)info->device_index >= n_ids) {
        st = clg_fail(CLG_ERR_DEVICE_NOT_FOUND, "OpenCL device %d:%d no longer exists",
                      info->platform_index, info->device_index);
        goto done;
    }

    /* The ICD order can change between listing and opening (another env, a new driver). */
    cl_device_id id = ids[info->device_index];
    size_t want_len = bounded_len(info->device_name, sizeof info->device_name);
    if (want_len > 0) {
        char now[sizeof info->device_name];
        st = GET_STRING(NULL, id, CL_DEVICE_NAME, &name);
        if (st != CLG_OK) goto done;
        copy_truncated(now, sizeof now, name);
        if (strlen(now) != want_len || memcmp(now, info->device_name, want_len) != 0) {
            st = clg_fail(CLG_ERR_DEVICE_NOT_FOUND,
                          "OpenCL device %d:%d is now \"%s\", not \"%.*s\"", info->platform_index,
                          info->device_index, now, (int)want_len, info->device_name);
            goto done;
        }
    }
    *platform = platforms[info->platform_index];
    *device = id;
done:
    free(name);
    free(ids);
    free(platforms);
    return st;
}

/* ---- Selection (no OpenCL calls) ----------------------------------------- */

/*
 * CLG_ERR_DEVICE_NOT_FOUND naming the spec and listing every device, kept
 * well under the 4096-byte error buffer: devices that do not fit are counted.
 */
static clg_status not_found(const clg_device_info *devices, size_t count, const char *spec,
                            size_t spec_len)
{
    char msg[3584];
    size_t cap = sizeof msg;
    int shown = spec_len > SPEC_ECHO_MAX ? SPEC_ECHO_MAX : (int)spec_len;
    int w = snprintf(msg, cap, "no OpenCL device matches %s=\"%.*s%s\"; ", CLG_DEVICE_ENV, shown,
                     spec, spec_len > SPEC_ECHO_MAX ? "..." : "");
    size_t pos = w > 0 ? (size_t)w : 0;

    if (count == 0) {
        snprintf(msg + pos, cap - pos, "no devices");
        return clg_fail(CLG_ERR_DEVICE_NOT_FOUND, "%s", msg);
    }
    pos += (size_t)snprintf(msg + pos, cap - pos, "devices: ");
    for (size_t i = 0; i < count; i++) {
        const clg_device_info *d = &devices[i];
        char entry[512]; /* two 128-byte names plus numbers always fit */
        int n = snprintf(entry, sizeof entry, "%s%zu: %.*s / %.*s (%s)", i ? ", " : "", i,
                         (int)bounded_len(d->platform_name, sizeof d->platform_name),
                         d->platform_name,
                         (int)bounded_len(d->device_name, sizeof d->device_name), d->device_name,
                         clg_device_type_name(d->type));
        size_t len = n > 0 ? (size_t)n : 0;
        /* Keep room for the "... (N more)" tail. */
        if (pos + len + 48 > cap) {
            snprintf(msg + pos, cap - pos, ", ... (%zu more)", count - i);
            break;
        }
        memcpy(msg + pos, entry, len + 1);
        pos += len;
    }
    return clg_fail(CLG_ERR_DEVICE_NOT_FOUND, "%s", msg);
}

/*
 * The device of a type (0: any) that the device table ranks best, the first
 * in the list on a tie; simulators only when allow_simulator. 0 if none.
 */
static int best_of_type(const clg_device_info *devices, size_t count, clg_device_type type,
                        int allow_simulator, size_t *chosen)
{
    const clg_device_traits *best = NULL;
    for (size_t i = 0; i < count; i++) {
        if (type && devices[i].type != type) continue;
        const clg_device_traits *t = clg_device_traits_of(&devices[i]);
        if (t->simulator && !allow_simulator) continue;
        int better = !best || t->simulator < best->simulator ||
                     (t->simulator == best->simulator && t->rank < best->rank);
        if (better) {
            best = t;
            *chosen = i;
        }
    }
    return best != NULL;
}

clg_status clg_device_select(const clg_device_info *devices, size_t count, const char *spec,
                             size_t *chosen)
{
    if (!chosen || (count > 0 && !devices))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT,
                        "clg_device_select: chosen and devices must not be NULL");

    /* Trim surrounding whitespace: env values often carry a stray space or newline. */
    const char *s = spec ? spec : "";
    size_t len = strlen(s);
    while (len > 0 && is_space(*s)) s++, len--;
    while (len > 0 && is_space(s[len - 1])) len--;

    /* Default: the best GPU, since that is why one installs OpenCL; else the
       best device of any type. Simulators come last (device table). */
    if (len == 0) {
        if (count == 0) return clg_fail(CLG_ERR_DEVICE_NOT_FOUND, "no OpenCL devices to choose from");
        if (!best_of_type(devices, count, CLG_DEVICE_GPU, 0, chosen) &&
            !best_of_type(devices, count, 0, 0, chosen))
            *chosen = 0;
        return CLG_OK;
    }

    /* Flat index, as `clgooglenet devices` prints it. */
    size_t value;
    if (parse_digits(s, len, &value)) {
        if (value >= count) return not_found(devices, count, s, len);
        *chosen = value;
        return CLG_OK;
    }

    /* "P:D": platform and device index within it. */
    const char *colon = memchr(s, ':', len);
    size_t p, d;
    if (colon && parse_digits(s, (size_t)(colon - s), &p) &&
        parse_digits(colon + 1, len - (size_t)(colon - s) - 1, &d)) {
        for (size_t i = 0; i < count; i++) {
            if (devices[i].platform_index >= 0 && devices[i].device_index >= 0 &&
                (size_t)devices[i].platform_index == p && (size_t)devices[i].device_index == d) {
                *chosen = i;
                return CLG_OK;
            }
        }
        return not_found(devices, count, s, len);
    }

    /* A type name decides on its own: "cpu" must not fall through to a name match. */
    static const clg_device_type types[] = {CLG_DEVICE_CPU, CLG_DEVICE_GPU, CLG_DEVICE_ACCELERATOR};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        if (!equals_ci(s, len, clg_device_type_name(types[t]))) continue;
        if (best_of_type(devices, count, types[t], 1, chosen)) return CLG_OK;
        return not_found(devices, count, s, len);
    }

    /* Substring of the platform or device name. */
    for (size_t i = 0; i < count; i++) {
        const clg_device_info *dev = &devices[i];
        if (contains_ci(dev->platform_name, bounded_len(dev->platform_name, sizeof dev->platform_name),
                        s, len) ||
            contains_ci(dev->device_name, bounded_len(dev->device_name, sizeof dev->device_name), s,
                        len)) {
            *chosen = i;
            return CLG_OK;
        }
    }
    return not_found(devices, count, s, len);
}
