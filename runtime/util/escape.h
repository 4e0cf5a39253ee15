/*
 * Escaping of untrusted text for terminals and logs. Names, metadata and
 * messages can come from a model file, a tensor file or the environment; a
 * hostile one could hold escape sequences that rewrite the user's terminal.
 * Every such string is printed through clg_escape: bytes that are not
 * printable (controls, DEL, C1 controls) and bytes that are not valid UTF-8
 * become \xNN; printable ASCII and valid UTF-8 pass unchanged. The result is
 * itself printable, so escaping twice changes nothing.
 */
#ifndef CLG_ESCAPE_H
#define CLG_ESCAPE_H

#include <stddef.h>

/* A buffer size that holds any name the runtime prints. */
#define CLG_ESCAPE_CAP 1024

/* Keep '\n' (multi-line text such as a build log); otherwise it is \x0a. */
#define CLG_ESCAPE_KEEP_NEWLINES 1u

/*
 * Writes the escaped form of s (NULL: "(null)") into buf, cut with "..."
 * when it does not fit in cap bytes; returns buf. cap must be at least 8.
 */
const char *clg_escape(const char *s, char *buf, size_t cap);
const char *clg_escape_flags(const char *s, unsigned flags, char *buf, size_t cap);

/* Bytes a valid UTF-8 sequence starting at s takes (1-4), 0 when s does not
   start one (an invalid, overlong or truncated sequence, or a surrogate). */
size_t clg_utf8_sequence(const unsigned char *s);

#endif
