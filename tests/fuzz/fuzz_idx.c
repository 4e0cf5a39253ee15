/*
 * Fuzz target: the IDX reader (clg_idx_load), plain or gzip. It reads from
 * a path, so the input goes into a memory file opened by /proc/self/fd.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memfd < 0) {
        memfd = memfd_create("fuzz-idx", 0);
        if (memfd < 0) abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    }
    if (ftruncate(memfd, 0) != 0 || lseek(memfd, 0, SEEK_SET) != 0) abort();
    for (size_t done = 0; done < size;) {
        ssize_t n = write(memfd, data + done, size - done);
        if (n <= 0) abort();
        done += (size_t)n;
    }
    clg_idx *idx = NULL;
    if (clg_idx_load(path, &idx) == CLG_OK) {
        volatile unsigned sum = 0;
        for (size_t i = 0; i < idx->size; i++) sum += idx->data[i];
        (void)sum;
    }
    clg_idx_destroy(idx);
    return 0;
}
