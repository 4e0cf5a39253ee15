/*
 * Image decoding: PNG through libpng's simplified API, JPEG through
 * TurboJPEG. The format is chosen by the file's first bytes. Both decoders
 * report the image size before any pixel memory is allocated, so oversized
 * (or hostile) headers are refused first.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#include "clgooglenet.h"
#include "error.h"
#include "file_read.h"
#include "image.h"
#include "tensor_io.h"

/* No image within the pixel limits needs a larger file (a 100 Mpixel
   uncompressed 16-bit RGBA PNG is 800 MB). */
#define CLG_IMAGE_MAX_FILE_BYTES ((uint64_t)1 << 30)

static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
static const unsigned char jpeg_magic[3] = {0xff, 0xd8, 0xff};

static int is_png(const unsigned char *d, size_t n)
{
    return n >= sizeof png_magic && memcmp(d, png_magic, sizeof png_magic) == 0;
}

static int is_jpeg(const unsigned char *d, size_t n)
{
    return n >= sizeof jpeg_magic && memcmp(d, jpeg_magic, sizeof jpeg_magic) == 0;
}

int clg_image_sniff(const void *data, size_t size)
{
    return data && (is_png(data, size) || is_jpeg(data, size));
}

int clg_image_file_sniff(const char *path)
{
    unsigned char head[8];
    FILE *f = NULL;
    size_t size;
    if (!path || clg_open_read(path, "image", UINT64_MAX, &f, &size) != CLG_OK) return 0;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return clg_image_sniff(head, n);
}

/* Checks the size limits and allocates the image; pixels are zeroed so that
   libpng composites transparent pixels onto black. */
static clg_status image_new(const char *name, unsigned long width, unsigned long height,
                            int channels, clg_image **out)
{
    if (width == 0 || height == 0)
        return clg_fail(CLG_ERR_PARSE, "%s: image has no pixels (%lux%lu)", name, width, height);
    if (width > CLG_IMAGE_MAX_SIDE || height > CLG_IMAGE_MAX_SIDE ||
        (unsigned long long)width * height > CLG_IMAGE_MAX_PIXELS)
        return clg_fail(CLG_ERR_UNSUPPORTED,
                        "%s: image of %lux%lu pixels is too large (limits: %d per side, %d "
                        "pixels)",
                        name, width, height, CLG_IMAGE_MAX_SIDE, CLG_IMAGE_MAX_PIXELS);
    clg_image *img = calloc(1, sizeof *img);
    size_t bytes = (size_t)width * height * (size_t)channels;
    unsigned char *pixels = calloc(bytes, 1);
    if (!img || !pixels) {
        free(img);
        free(pixels);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes for the image", name,
                        bytes);
    }
    img->width = (int)width;
    img->height = (int)height;
    img->channels = channels;
    img->pixels = pixels;
    *out = img;
    return CLG_OK;
}

static clg_status decode_png(const unsigned char *data, size_t size, const char *name,
                             clg_image **out)
{
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&png, data, size))
        return clg_fail(CLG_ERR_PARSE, "%s: corrupt PNG: %s", name, png.message);
    /* Keep gray files gray: libpng's own RGB->gray is not the luma we want. */
    int channels = (png.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
    png.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    clg_image *img = NULL;
    clg_status st = image_new(name, png.width, png.height, channels, &img);
    if (st != CLG_OK) {
        png_image_free(&png);
        return st;
    }
    if (!png_image_finish_read(&png, NULL, img->pixels, 0, NULL)) {
        clg_image_destroy(img);
        return clg_fail(CLG_ERR_PARSE, "%s: corrupt or truncated PNG: %s", name, png.message);
    }
    *out = img;
    return CLG_OK;
}

static clg_status decode_jpeg(const unsigned char *data, size_t size, const char *name,
                              clg_image **out)
{
    tjhandle tj = tjInitDecompress();
    if (!tj) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: cannot start TurboJPEG: %s", name,
                             tjGetErrorStr2(NULL));
    int width = 0, height = 0, subsamp = -1, colorspace = -1;
    clg_image *img = NULL;
    clg_status st = CLG_OK;
    if (tjDecompressHeader3(tj, data, (unsigned long)size, &width, &height, &subsamp,
                            &colorspace) != 0) {
        st = clg_fail(CLG_ERR_PARSE, "%s: corrupt JPEG: %s", name, tjGetErrorStr2(tj));
        goto done;
    }
    /* A stream cut before its frame header reads as tables-only: "success"
       with no size (TurboJPEG 2.1); its last message says why. */
    if (width < 1 || height < 1) {
        st = clg_fail(CLG_ERR_PARSE, "%s: corrupt or truncated JPEG: no image header (%s)", name,
                      tjGetErrorStr2(tj));
        goto done;
    }
    if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
        st = clg_fail(CLG_ERR_UNSUPPORTED, "%s: CMYK JPEG images are not supported", name);
        goto done;
    }
    int channels = colorspace == TJCS_GRAY ? 1 : 3;
    st = image_new(name, (unsigned long)width, (unsigned long)height, channels, &img);
    if (st != CLG_OK) goto done;
    /* Warnings (such as "premature end of data") count as failures: a
       half-decoded photo would be classified without anyone noticing. */
    if (tjDecompress2(tj, data, (unsigned long)size, img->pixels, width, 0, height,
                      channels == 1 ? TJPF_GRAY : TJPF_RGB, 0) != 0) {
        st = clg_fail(CLG_ERR_PARSE, "%s: corrupt or truncated JPEG: %s", name,
                      tjGetErrorStr2(tj));
        clg_image_destroy(img);
        img = NULL;
        goto done;
    }
    *out = img;
done:
    tjDestroy(tj);
    return st;
}

clg_status clg_image_decode(const void *data, size_t size, const char *name, clg_image **out)
{
    if (!name) name = "image";
    if (!out || (!data && size))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_image_decode: NULL argument");
    *out = NULL;
    if (is_png(data, size)) return decode_png(data, size, name, out);
    if (is_jpeg(data, size)) return decode_jpeg(data, size, name, out);
    return clg_fail(CLG_ERR_UNSUPPORTED, "%s: unknown image format (not PNG or JPEG)", name);
}

clg_status clg_image_load(const char *path, clg_image **out)
{
    if (!path || !out) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_image_load: NULL argument");
    unsigned char *data;
    size_t size;
    CLG_TRY(clg_read_file_limit(path, "image", CLG_IMAGE_MAX_FILE_BYTES, &data, &size));
    clg_status st = clg_image_decode(data, size, path, out);
    free(data);
    return st;
}

void clg_image_destroy(clg_image *image)
{
    if (!image) return;
    free(image->pixels);
    free(image);
}

unsigned char clg_rgb_to_gray(unsigned char r, unsigned char g, unsigned char b)
{
    /* PIL's L24: 0.299, 0.587, 0.114 in 16.16 fixed point, rounded. */
    return (unsigned char)((r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16);
}
