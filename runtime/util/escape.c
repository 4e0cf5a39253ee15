/* Escaping of untrusted text: see escape.h. */
#include "escape.h"

#include <stdio.h>
#include <string.h>

size_t clg_utf8_sequence(const unsigned char *s)
{
    if (s[0] < 0x80) return 1;
    size_t n;
    unsigned min;
    unsigned cp;
    if ((s[0] & 0xe0) == 0xc0) n = 2, min = 0x80, cp = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0) n = 3, min = 0x800, cp = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0) n = 4, min = 0x10000, cp = s[0] & 0x07;
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0; /* also stops at the terminating NUL */
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

/* C1 controls (U+0080..U+009F) act on terminals as ESC sequences do. */
static int is_c1(const unsigned char *s, size_t n)
{
    return n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

const char *clg_escape_flags(const char *text, unsigned flags, char *buf, size_t cap)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "(null)");
    size_t used = 0;
    const size_t room = cap - 4; /* keeps space for "..." and the NUL */
    while (*s) {
        size_t n = clg_utf8_sequence(s);
        int plain = n == 1 ? (*s >= 0x20 && *s != 0x7f) || (*s == '\n' && (flags & CLG_ESCAPE_KEEP_NEWLINES))
                           : n > 1 && !is_c1(s, n);
        if (!plain) n = 1;
        size_t need = plain ? n : 4;
        if (used + need > room) {
            memcpy(buf + used, "...", 4);
            return buf;
        }
        if (plain) memcpy(buf + used, s, n);
        else snprintf(buf + used, 5, "\\x%02x", *s);
        used += need;
        s += n;
    }
    buf[used] = '\0';
    return buf;
}

const char *clg_escape(const char *s, char *buf, size_t cap)
{
    return clg_escape_flags(s, 0, buf, cap);
}
