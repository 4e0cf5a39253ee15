/* Fuzz target: the PNG / JPEG decoders (clg_image_decode) and the sniffer. */
#include <stdint.h>
#include <stdlib.h>

#include "clgooglenet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)clg_image_sniff(data, size);
    clg_image *img = NULL;
    if (clg_image_decode(data, size, "fuzz-image", &img) == CLG_OK) {
        if (img->width < 1 || img->height < 1 || (img->channels != 1 && img->channels != 3))
            abort();
        size_t n = (size_t)img->width * (size_t)img->height * (size_t)img->channels;
        volatile unsigned sum = 0;
        for (size_t i = 0; i < n; i++) sum += img->pixels[i];
        (void)sum;
    }
    clg_image_destroy(img);
    return 0;
}
