/*
 * Tests for runtime/device/device.c: spec selection on synthetic device lists (no
 * OpenCL needed), and enumeration on the real OpenCL installation.
 *
 * OpenCL objects are only created inside tests: Check forks each test and
 * the ICD and PoCL's threads do not survive a fork.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "device.h"

static clg_device_info make_device(int index, int platform, int device, const char *platform_name,
                                   const char *device_name, clg_device_type type)
{
    clg_device_info d;
    memset(&d, 0, sizeof d);
    d.index = index;
    d.platform_index = platform;
    d.device_index = device;
    snprintf(d.platform_name, sizeof d.platform_name, "%s", platform_name);
    snprintf(d.device_name, sizeof d.device_name, "%s", device_name);
    d.type = type;
    d.compute_units = 1;
    return d;
}

/* Two platforms: PoCL with two CPU devices, then a vendor GPU and an accelerator. */
enum { N_FAKE = 4 };
static void fake_devices(clg_device_info out[N_FAKE])
{
    out[0] = make_device(0, 0, 0, "Portable Computing Language", "basic-skylake-avx512",
                         CLG_DEVICE_CPU);
    out[1] = make_device(1, 0, 1, "Portable Computing Language", "pthread-skylake-avx512",
                         CLG_DEVICE_CPU);
    out[2] = make_device(2, 1, 0, "NVIDIA CUDA", "NVIDIA GeForce RTX 3080", CLG_DEVICE_GPU);
    out[3] = make_device(3, 1, 1, "NVIDIA CUDA", "Xilinx Alveo U250", CLG_DEVICE_ACCELERATOR);
}

/* Selects spec from the fake list, expecting success, and returns the index. */
static size_t pick(const char *spec)
{
    clg_device_info devs[N_FAKE];
    fake_devices(devs);
    size_t chosen = 12345;
    clg_status st = clg_device_select(devs, N_FAKE, spec, &chosen);
    ck_assert_msg(st == CLG_OK, "spec \"%s\": %s: %s", spec ? spec : "(null)",
                  clg_status_to_string(st), clg_last_error());
    ck_assert_uint_lt(chosen, N_FAKE);
    return chosen;
}

/* Expects spec to match nothing in the fake list. */
static void expect_not_found(const char *spec)
{
    clg_device_info devs[N_FAKE];
    fake_devices(devs);
    size_t chosen = 12345;
    clg_status st = clg_device_select(devs, N_FAKE, spec, &chosen);
    ck_assert_msg(st == CLG_ERR_DEVICE_NOT_FOUND, "spec \"%s\" gave %s", spec,
                  clg_status_to_string(st));
    ck_assert_uint_eq(chosen, 12345); /* untouched on failure */
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "devices: 0: "));
}

START_TEST(select_default)
{
    ck_assert_uint_eq(pick(NULL), 2); /* first GPU */
    ck_assert_uint_eq(pick(""), 2);
    ck_assert_uint_eq(pick("  \t\n"), 2);

    /* No GPU: fall back to device 0. */
    clg_device_info devs[N_FAKE];
    fake_devices(devs);
    devs[2].type = CLG_DEVICE_OTHER;
    size_t chosen = 99;
    ck_assert_int_eq(clg_device_select(devs, N_FAKE, NULL, &chosen), CLG_OK);
    ck_assert_uint_eq(chosen, 0);

    /* Nothing to choose from. */
    ck_assert_int_eq(clg_device_select(NULL, 0, NULL, &chosen), CLG_ERR_DEVICE_NOT_FOUND);
    ck_assert_int_eq(clg_device_select(NULL, 0, "cpu", &chosen), CLG_ERR_DEVICE_NOT_FOUND);
    ck_assert_int_eq(clg_device_select(NULL, 0, "0", &chosen), CLG_ERR_DEVICE_NOT_FOUND);
}
END_TEST

START_TEST(select_index)
{
    ck_assert_uint_eq(pick("0"), 0);
    ck_assert_uint_eq(pick("3"), 3);
    ck_assert_uint_eq(pick("003"), 3);
    ck_assert_uint_eq(pick(" 1 "), 1);
    expect_not_found("4");
    expect_not_found("99999999999999999999");
    expect_not_found("184467440737095516160"); /* SIZE_MAX * 10 on 64-bit */
    expect_not_found("-1");
    expect_not_found("+1");
}
END_TEST

START_TEST(select_platform_device)
{
    ck_assert_uint_eq(pick("0:1"), 1);
    ck_assert_uint_eq(pick("1:0"), 2);
    ck_assert_uint_eq(pick("1:1"), 3);
    ck_assert_uint_eq(pick(" 1:1\n"), 3);
    expect_not_found("2:0");
    expect_not_found("0:2");
    expect_not_found("99999999999999999999:0");
    expect_not_found("0:99999999999999999999");
}
END_TEST

START_TEST(select_malformed)
{
    expect_not_found("1:");
    expect_not_found(":1");
    expect_not_found(":");
    expect_not_found("a:b");
    expect_not_found("1:2:3");
    expect_not_found("0 : 1");
    expect_not_found("1 2");
}
END_TEST

START_TEST(select_type)
{
    ck_assert_uint_eq(pick("cpu"), 0);
    ck_assert_uint_eq(pick("CPU"), 0);
    ck_assert_uint_eq(pick("gpu"), 2);
    ck_assert_uint_eq(pick("GpU"), 2);
    ck_assert_uint_eq(pick("accelerator"), 3);
    ck_assert_uint_eq(pick("Accelerator "), 3);

    /* A type with no device of that type is not found (no fall-through to names). */
    clg_device_info devs[N_FAKE];
    fake_devices(devs);
    snprintf(devs[0].device_name, sizeof devs[0].device_name, "gpu-named-cpu");
    devs[2].type = CLG_DEVICE_OTHER;
    size_t chosen = 99;
    ck_assert_int_eq(clg_device_select(devs, N_FAKE, "gpu", &chosen), CLG_ERR_DEVICE_NOT_FOUND);
    ck_assert_uint_eq(chosen, 99);
}
END_TEST

START_TEST(select_substring)
{
    ck_assert_uint_eq(pick("pthread"), 1);
    ck_assert_uint_eq(pick("PTHREAD"), 1);
    ck_assert_uint_eq(pick("basic"), 0);
    ck_assert_uint_eq(pick("portable"), 0); /* platform name: first match */
    ck_assert_uint_eq(pick("nvidia"), 2);
    ck_assert_uint_eq(pick("geforce rtx"), 2);
    ck_assert_uint_eq(pick("cuda"), 2);
    ck_assert_uint_eq(pick("alveo"), 3);
    ck_assert_uint_eq(pick("  Xilinx\t"), 3);
    ck_assert_uint_eq(pick("avx512"), 0);
    ck_assert_uint_eq(pick("skylake-avx512"), 0);
}
END_TEST

START_TEST(select_no_match_lists_devices)
{
    clg_device_info devs[N_FAKE];
    fake_devices(devs);
    size_t chosen = 0;
    ck_assert_int_eq(clg_device_select(devs, N_FAKE, "  xyz ", &chosen), CLG_ERR_DEVICE_NOT_FOUND);
    const char *msg = clg_last_error();
    ck_assert_ptr_nonnull(strstr(msg, CLG_DEVICE_ENV "=\"xyz\""));
    ck_assert_ptr_nonnull(strstr(msg, "0: Portable Computing Language / basic-skylake-avx512 (cpu)"));
    ck_assert_ptr_nonnull(strstr(msg, "1: Portable Computing Language / pthread-skylake-avx512 (cpu)"));
    ck_assert_ptr_nonnull(strstr(msg, "2: NVIDIA CUDA / NVIDIA GeForce RTX 3080 (gpu)"));
    ck_assert_ptr_nonnull(strstr(msg, "3: NVIDIA CUDA / Xilinx Alveo U250 (accelerator)"));
}
END_TEST

START_TEST(select_message_truncated)
{
    /* Many long names: the message must stay bounded and say how many were left out. */
    enum { N = 200 };
    static clg_device_info devs[N];
    for (int i = 0; i < N; i++) {
        devs[i] = make_device(i, 0, i, "", "", CLG_DEVICE_CPU);
        memset(devs[i].platform_name, 'P', sizeof devs[i].platform_name - 1);
        memset(devs[i].device_name, 'D', sizeof devs[i].device_name - 1);
    }
    char spec[1000];
    memset(spec, 'z', sizeof spec - 1);
    spec[sizeof spec - 1] = '\0';
    size_t chosen = 0;
    ck_assert_int_eq(clg_device_select(devs, N, spec, &chosen), CLG_ERR_DEVICE_NOT_FOUND);
    const char *msg = clg_last_error();
    ck_assert_uint_lt(strlen(msg), 4096);
    ck_assert_ptr_nonnull(strstr(msg, "zzz...\""));
    ck_assert_ptr_nonnull(strstr(msg, "more)"));
    ck_assert_ptr_nonnull(strstr(msg, "0: PPP"));
}
END_TEST

START_TEST(select_unterminated_names)
{
    /* Garbage that a fuzzer might hand over: names without a NUL, odd enum values. */
    clg_device_info devs[3];
    memset(devs, 0xA5, sizeof devs);
    memset(devs[1].device_name, 'x', sizeof devs[1].device_name);
    memset(devs[1].platform_name, 'y', sizeof devs[1].platform_name);
    size_t chosen = 0;
    ck_assert_int_eq(clg_device_select(devs, 3, "no such device", &chosen),
                     CLG_ERR_DEVICE_NOT_FOUND);
    ck_assert_uint_lt(strlen(clg_last_error()), 4096);
    ck_assert_int_eq(clg_device_select(devs, 3, "xxxx", &chosen), CLG_OK);
    ck_assert_uint_eq(chosen, 1);
    ck_assert_int_eq(clg_device_select(devs, 3, "0:0", &chosen), CLG_ERR_DEVICE_NOT_FOUND);
    ck_assert_int_eq(clg_device_select(devs, 3, "gpu", &chosen), CLG_ERR_DEVICE_NOT_FOUND);
}
END_TEST

START_TEST(select_bad_arguments)
{
    clg_device_info devs[N_FAKE];
    fake_devices(devs);
    size_t chosen;
    ck_assert_int_eq(clg_device_select(devs, N_FAKE, "0", NULL), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(clg_device_select(NULL, 2, "0", &chosen), CLG_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(type_names)
{
    ck_assert_str_eq(clg_device_type_name(CLG_DEVICE_CPU), "cpu");
    ck_assert_str_eq(clg_device_type_name(CLG_DEVICE_GPU), "gpu");
    ck_assert_str_eq(clg_device_type_name(CLG_DEVICE_ACCELERATOR), "accelerator");
    ck_assert_str_eq(clg_device_type_name(CLG_DEVICE_OTHER), "other");
    ck_assert_str_eq(clg_device_type_name((clg_device_type)77), "other");
}
END_TEST

/* ---- Real OpenCL --------------------------------------------------------- */

START_TEST(list_real)
{
    clg_device_info *devs = NULL;
    size_t n = 0;
    clg_status st = clg_devices_list(&devs, &n);
    ck_assert_msg(st == CLG_OK, "%s: %s", clg_status_to_string(st), clg_last_error());
    ck_assert_uint_ge(n, 1);
    for (size_t i = 0; i < n; i++) {
        const clg_device_info *d = &devs[i];
        ck_assert_int_eq(d->index, (int)i);
        ck_assert_int_ge(d->platform_index, 0);
        ck_assert_int_ge(d->device_index, 0);
        ck_assert_uint_gt(strlen(d->platform_name), 0);
        ck_assert_uint_gt(strlen(d->device_name), 0);
        ck_assert_uint_lt(strlen(d->device_name), sizeof d->device_name);
        ck_assert_ptr_nonnull(strstr(d->opencl_c_version, "OpenCL C"));
        ck_assert_uint_ge(d->compute_units, 1);
        ck_assert_uint_gt(d->global_memory_bytes, 0);
        ck_assert_uint_gt(d->local_memory_bytes, 0);
        ck_assert(d->has_fp16 == 0 || d->has_fp16 == 1);
        /* Emulated half is a CPU device's with the extension, and on x86 it
           is exactly the hosts without AVX512-FP16. */
        ck_assert(d->fp16_emulated == 0 || (d->has_fp16 && d->type == CLG_DEVICE_CPU));
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
        if (d->has_fp16 && d->type == CLG_DEVICE_CPU)
            ck_assert_int_eq(d->fp16_emulated, !__builtin_cpu_supports("avx512fp16"));
#endif
        printf("device %zu: %s / %s (%s), %s, %s, %u CUs, fp16 %d\n", i, d->platform_name,
               d->device_name, clg_device_type_name(d->type), d->driver_version,
               d->opencl_c_version, d->compute_units, d->has_fp16);

        /* Opening by indices finds the same device again. */
        cl_platform_id platform = NULL;
        cl_device_id device = NULL;
        st = clg_device_open(d, &platform, &device);
        ck_assert_msg(st == CLG_OK, "%s", clg_last_error());
        char name[256] = "";
        ck_assert_int_eq(clGetDeviceInfo(device, CL_DEVICE_NAME, sizeof name, name, NULL), CL_SUCCESS);
        ck_assert_ptr_nonnull(strstr(name, d->device_name));
    }

    /* Stale indices or a renamed device are reported, not opened. */
    cl_platform_id platform;
    cl_device_id device;
    clg_device_info stale = devs[0];
    stale.device_index = 1000;
    ck_assert_int_eq(clg_device_open(&stale, &platform, &device), CLG_ERR_DEVICE_NOT_FOUND);
    stale = devs[0];
    stale.platform_index = -1;
    ck_assert_int_eq(clg_device_open(&stale, &platform, &device), CLG_ERR_DEVICE_NOT_FOUND);
    stale = devs[0];
    snprintf(stale.device_name, sizeof stale.device_name, "not the same device");
    ck_assert_int_eq(clg_device_open(&stale, &platform, &device), CLG_ERR_DEVICE_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "not the same device"));

    /* The default spec always picks something from a real list. */
    size_t chosen = n;
    ck_assert_int_eq(clg_device_select(devs, n, NULL, &chosen), CLG_OK);
    ck_assert_uint_lt(chosen, n);
    free(devs);
}
END_TEST

START_TEST(list_bad_arguments)
{
    size_t n;
    clg_device_info *devs;
    ck_assert_int_eq(clg_devices_list(NULL, &n), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(clg_devices_list(&devs, NULL), CLG_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(list_no_platform)
{
    /* Point the ICD loader at an empty vendor list; only safe before this process loaded it. */
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode && strcmp(fork_mode, "no") == 0) {
        printf("skipped device:no-icd: needs CK_FORK=yes (the ICD list is read once per process)\n");
        return;
    }
    setenv("OCL_ICD_VENDORS", "/nonexistent/clgooglenet-test", 1);
    clg_device_info sentinel;
    clg_device_info *devs = &sentinel; /* must come back NULL */
    size_t n = 7;
    ck_assert_int_eq(clg_devices_list(&devs, &n), CLG_ERR_DEVICE_NOT_FOUND);
    ck_assert_ptr_null(devs);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(clg_last_error(),
                     "no OpenCL platform found (is an ICD such as pocl-opencl-icd installed?)");
}
END_TEST

START_TEST(select_pocl_pthread_basic)
{
    const char *pocl = getenv("POCL_DEVICES");
    if (!pocl || !strstr(pocl, "pthread") || !strstr(pocl, "basic")) {
        printf("skipped device:pocl: set POCL_DEVICES=\"pthread basic\" to test two PoCL devices\n");
        return;
    }
    clg_device_info *devs = NULL;
    size_t n = 0;
    clg_status st = clg_devices_list(&devs, &n);
    ck_assert_msg(st == CLG_OK, "%s", clg_last_error());

    size_t pthread_dev = n, basic_dev = n;
    ck_assert_int_eq(clg_device_select(devs, n, "pthread", &pthread_dev), CLG_OK);
    ck_assert_int_eq(clg_device_select(devs, n, "BASIC", &basic_dev), CLG_OK);
    ck_assert_uint_ne(pthread_dev, basic_dev);
    ck_assert_ptr_nonnull(strstr(devs[pthread_dev].device_name, "pthread"));
    ck_assert_ptr_nonnull(strstr(devs[basic_dev].device_name, "basic"));
    ck_assert_int_eq(devs[pthread_dev].type, CLG_DEVICE_CPU);

    /* P:D of each picks it back. */
    char spec[32];
    size_t again = n;
    snprintf(spec, sizeof spec, "%d:%d", devs[basic_dev].platform_index,
             devs[basic_dev].device_index);
    ck_assert_int_eq(clg_device_select(devs, n, spec, &again), CLG_OK);
    ck_assert_uint_eq(again, basic_dev);
    free(devs);
}
END_TEST

int main(void)
{
    const clg_test_case selection[] = {
        {"device:select_default", select_default},
        {"device:select_index", select_index},
        {"device:select_platform_device", select_platform_device},
        {"device:select_malformed", select_malformed},
        {"device:select_type", select_type},
        {"device:select_substring", select_substring},
        {"device:select_no_match_lists_devices", select_no_match_lists_devices},
        {"device:select_message_truncated", select_message_truncated},
        {"device:select_unterminated_names", select_unterminated_names},
        {"device:select_bad_arguments", select_bad_arguments},
        {"device:type_names", type_names},
    };
    const clg_test_case list[] = {
        {"device:list_real", list_real},
        {"device:list_bad_arguments", list_bad_arguments},
    };
    Suite *s = suite_create("device");
    clg_add_cases(s, selection, sizeof selection / sizeof selection[0], 0, NULL, NULL);
    /* 60 s: PoCL's first start can be slow. */
    clg_add_cases(s, list, sizeof list / sizeof list[0], 60, NULL, NULL);
    clg_add_case(s, "device:list_no_platform", list_no_platform, 0, 0, NULL, NULL);
    clg_add_case(s, "device:select_pocl_pthread_basic", select_pocl_pthread_basic, 0, 60, NULL, NULL);
    return clg_run_suite(s);
}
