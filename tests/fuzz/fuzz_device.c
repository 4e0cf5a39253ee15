/*
 * Fuzz target: the device spec parser (clg_device_select, what
 * CLGOOGLENET_DEVICE goes through) on a synthetic device list. The first
 * byte picks how many devices the list has (0-4) and whether their names
 * fill the whole field without a NUL; the rest is the spec. The failure
 * message, which echoes the spec, must come out escaped: printable, valid
 * UTF-8 without controls, and unchanged by escaping it again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clgooglenet.h"
#include "escape.h"

/* No control byte, no invalid UTF-8, no C1 control; escaping again is a no-op. */
static void check_escaped(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = clg_utf8_sequence(p);
        if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f)) || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) abort();
        p += n;
    }
    char again[4200];
    if (strcmp(clg_escape(s, again, sizeof again), s) != 0 && strlen(s) + 4 < sizeof again) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fill(clg_device_info *d, int index, int platform, int device, const char *pname,
                 const char *dname, clg_device_type type, int unterminated)
{
    memset(d, 0, sizeof *d);
    d->index = index;
    d->platform_index = platform;
    d->device_index = device;
    if (unterminated) {
        /* Names from a caller's array may lack their NUL. */
        memset(d->platform_name, 'x', sizeof d->platform_name);
        memset(d->device_name, 'Y', sizeof d->device_name);
        memcpy(d->platform_name, pname, strlen(pname));
    } else {
        strcpy(d->platform_name, pname);
        strcpy(d->device_name, dname);
    }
    strcpy(d->driver_version, "1.0");
    strcpy(d->opencl_c_version, "OpenCL C 1.2");
    d->type = type;
    d->compute_units = 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    size_t count = data[0] % 5;
    int unterminated = (data[0] >> 3) & 1;
    clg_device_info devs[4];
    fill(&devs[0], 0, 0, 0, "Portable Computing Language", "pthread-Intel(R) Xeon(R)",
         CLG_DEVICE_CPU, unterminated);
    fill(&devs[1], 1, 0, 1, "Portable Computing Language", "basic", CLG_DEVICE_CPU, 0);
    fill(&devs[2], 2, 1, 0, "NVIDIA CUDA", "NVIDIA H100", CLG_DEVICE_GPU, unterminated);
    fill(&devs[3], 3, 2, 0, "Xilinx", "fpga0", (data[0] & 0x80) ? CLG_DEVICE_ACCELERATOR
                                                                   : CLG_DEVICE_OTHER, 0);
    /* The spec is a C string: cut at the first NUL like getenv would. */
    char *spec = malloc(size);
    if (!spec) return 0;
    memcpy(spec, data + 1, size - 1);
    spec[size - 1] = '\0';
    size_t chosen = (size_t)-1;
    clg_status st = clg_device_select(count ? devs : NULL, count, spec, &chosen);
    if (st == CLG_OK && chosen >= count) abort(); /* a choice must be a real entry */
    if (st != CLG_OK && clg_last_error()[0] == '\0') abort(); /* a failure must say why */
    if (st != CLG_OK) check_escaped(clg_last_error());
    char escaped[512];
    check_escaped(clg_escape(spec, escaped, sizeof escaped));
    free(spec);
    return 0;
}
