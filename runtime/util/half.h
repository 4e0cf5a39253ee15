/*
 * IEEE binary16 (ONNX FLOAT16, numpy '<f2') and bfloat16 to float32. Both
 * convert exactly: every half and bfloat16 value is a float32 value. Models
 * stored in these types are computed in float32; float16 outputs are
 * rounded back when written.
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

/* The nearest float16 (ties to even); past 65504 + half an ulp, infinity. */
static inline uint16_t clg_float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    const uint32_t a = x & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu)); /* NaN stays quiet NaN */
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* 65520 and up, infinity */
    if (a < 0x38800000u) { /* below 2^-14: multiples of 2^-24, scaled exactly */
        float v;
        memcpy(&v, &a, sizeof v);
        v *= 16777216.0f;
        const float fl = (float)(uint32_t)v, rest = v - fl;
        uint32_t q = (uint32_t)fl + (rest > 0.5f || (rest == 0.5f && ((uint32_t)fl & 1u)));
        return (uint16_t)(sign | q);
    }
    const uint32_t r = a + 0x0fffu + ((a >> 13) & 1u); /* ties to even; a carry moves the exponent */
    return (uint16_t)(sign | ((r - 0x38000000u) >> 13));
}

static inline float clg_bfloat16_to_float(uint16_t b)
{
    const uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

#endif
