#!/usr/bin/env python3
"""Checks the runtime's structure (runtime/README.md):

1. no include cycle between runtime modules (a module is NAME.c with NAME.h);
2. only runtime/core/env.c reads the process environment (getenv);
3. the core library (everything in runtime/ but image/) includes no image,
   dataset or compression code.

usage: layout.py SOURCE_ROOT
"""
import glob
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]', re.M)


def code(path):
    """The file's text without comments or string literals' contents."""
    text = open(path, encoding='utf-8').read()
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    return text


def module_cycles(files):
    module = lambda f: os.path.splitext(os.path.basename(f))[0]
    names = {module(f) for f in files}
    edges = {m: set() for m in names}
    for f in files:
        for inc in INCLUDE.findall(code(f)):
            target = os.path.splitext(os.path.basename(inc))[0]
            if inc.endswith('.h') and target in names and target != module(f):
                edges[module(f)].add(target)
    # Tarjan's strongly connected components: any with two or more modules is a cycle.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(names):
        if v not in index:
            visit(v)
    return [(c, {m: sorted(edges[m] & set(c)) for m in c}) for c in cycles]


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    files = sorted(glob.glob(os.path.join(root, 'runtime', '**', '*.[ch]'), recursive=True))
    if not files:
        print(f'FAIL: no runtime sources under {root}')
        return 1
    failures = 0
    for cycle, edges in module_cycles(files):
        failures += 1
        print('FAIL: include cycle between runtime modules ' + ', '.join(cycle))
        for m, targets in edges.items():
            print(f'        {m} includes {", ".join(targets)}')
    env_file = os.path.join(root, 'runtime', 'core', 'env.c')
    for f in files:
        if os.path.samefile(f, env_file):
            continue
        if re.search(r'\bgetenv\s*\(', code(f)):
            failures += 1
            print(f'FAIL: {os.path.relpath(f, root)} reads the environment (only runtime/core/env.c may)')
    forbidden = re.compile(r'^(image\.h|idx\.h|png\.h|turbojpeg\.h|zlib\.h|jpeglib\.h)$')
    for f in files:
        if os.sep + 'image' + os.sep in f:
            continue
        for inc in INCLUDE.findall(code(f)):
            if forbidden.match(os.path.basename(inc)):
                failures += 1
                print(f'FAIL: {os.path.relpath(f, root)} (core library) includes {inc}')
    if failures == 0:
        print(f'ok: {len(files)} runtime files: no include cycle, the environment read in env.c only, '
              'no image or dataset code in the core')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
