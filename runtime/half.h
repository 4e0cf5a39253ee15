/*
 * IEEE binary16 (ONNX FLOAT16, numpy '<f2') and bfloat16 to float32. Both
 * convert exactly: every half and bfloat16 value is a float32 value. Models
 * stored in these types are computed in float32.
 */
#ifndef CLG_HALF_H
#define CLG_HALF_H

#include <stdint.h>
#include <string.h>

static inline float clg_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13); /* infinities and NaNs (payload kept) */
    } else if (exp) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (!man) {
        bits = sign;
    } else { /* subnormal: man x 2^-24, normalised */
        exp = 113;
        while (!(man & 0x400u)) {
            man <<= 1;
            exp--;
        }
        bits = sign | (exp << 23) | ((man & 0x3ffu) << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline float clg_bfloat16_to_float(uint16_t b)
{
    const uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

#endif
