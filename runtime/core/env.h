/*
 * The CLGOOGLENET_* environment variables the library reads, in one table,
 * each with the values it allows. A value outside them is an error naming
 * the variable and listing what it takes (a mistyped value must not quietly
 * pick a default: CLGOOGLENET_TUNE=OFF tuned for minutes). Words match
 * without regard to case; an empty value counts as unset.
 *
 *   CLGOOGLENET_TUNE        0 | off, 1 | on, force   (runtime/device/tuning.h)
 *   CLGOOGLENET_CONV        legacy, kvec, wino, wino2, lanes, plane (runtime/ops/ops_conv.c)
 *   CLGOOGLENET_GEMM        clblast, kernel          (runtime/ops/ops_gemm.c)
 *   CLGOOGLENET_NO_FUSION   0, 1                     (runtime/passes/passes.h)
 *   CLGOOGLENET_PASSES_OFF  pass numbers 0-6, comma-separated
 *   CLGOOGLENET_KERNEL_DIR  a directory              (runtime/programs/kernels.h)
 *   CLGOOGLENET_PROGRAM_CACHE  0 | off, 1 | on       (runtime/programs/program_store.h)
 *   CLGOOGLENET_KERNELS     cpu, simt                (runtime/ops/ops_conv_simt.h)
 *   CLGOOGLENET_PRECISION   fp32, fp16               (clgooglenet.h, clg_precision)
 *   CLGOOGLENET_HALF_MATH   half, float              (clgooglenet.h, clg_context_half_arithmetic)
 * CLGOOGLENET_DEVICE and CLGOOGLENET_QUEUES are checked where they are
 * read, when a context is made (runtime/device/device.c, runtime/core/context.c).
 */
#ifndef CLG_ENV_H
#define CLG_ENV_H

#include "clgooglenet.h"

#define CLG_TUNE_ENV "CLGOOGLENET_TUNE"
#define CLG_CONV_ENV "CLGOOGLENET_CONV"
#define CLG_GEMM_ENV "CLGOOGLENET_GEMM"
#define CLG_NO_FUSION_ENV "CLGOOGLENET_NO_FUSION"
#define CLG_PASSES_OFF_ENV "CLGOOGLENET_PASSES_OFF"
#define CLG_KERNEL_DIR_ENV "CLGOOGLENET_KERNEL_DIR"
#define CLG_PROGRAM_CACHE_ENV "CLGOOGLENET_PROGRAM_CACHE"
#define CLG_KERNELS_ENV "CLGOOGLENET_KERNELS"
#define CLG_QUEUES_ENV "CLGOOGLENET_QUEUES"
#define CLG_PRECISION_ENV "CLGOOGLENET_PRECISION"
#define CLG_HALF_MATH_ENV "CLGOOGLENET_HALF_MATH"

/* The highest pass number CLGOOGLENET_PASSES_OFF takes (passes.h numbers them). */
#define CLG_PASS_NUMBER_LAST 6

/* clg_env_check (clgooglenet.h) checks every variable above. */

/*
 * A variable's value as the process environment has it now (NULL: unset):
 * the only function of the library that reads the environment. Contexts
 * read it once, when they are made (options.c, context.c).
 */
const char *clg_env_value(const char *var);

/* Checks one variable of the table. */
clg_status clg_env_check_one(const char *var);

/*
 * A word-valued variable's value in the table's spelling ("kvec" for
 * KVEC, "0" for off); NULL when it is unset, empty or not allowed (which
 * clg_env_check reports).
 */
const char *clg_env_word(const char *var);

#endif
