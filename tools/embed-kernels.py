#!/usr/bin/env python3
"""Embeds OpenCL sources into a C file: embed-kernels.py OUT.c A.cl B.cl ...

Each file becomes an entry {"a.cl", "<source>"} of clg_embedded_kernels[],
which runtime/programs/kernels.c searches by file name.
"""
import os
import sys


def c_string(text):
    out = []
    for line in text.splitlines(keepends=True):
        esc = line.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
        out.append('    "%s"' % esc)
    return '\n'.join(out) if out else '    ""'


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: embed-kernels.py OUT.c FILE.cl...')
    parts = ['/* Generated from the cl/ sources at build time. */',
             '#include <stddef.h>',
             'struct clg_embedded_kernel { const char *name; const char *source; };',
             'const struct clg_embedded_kernel clg_embedded_kernels[] = {']
    for path in sys.argv[2:]:
        with open(path, encoding='utf-8') as f:
            parts.append('  {"%s",\n%s},' % (os.path.basename(path), c_string(f.read())))
    parts.append('  {NULL, NULL}};')
    with open(sys.argv[1], 'w', encoding='utf-8') as f:
        f.write('\n'.join(parts) + '\n')


if __name__ == '__main__':
    main()
