#!/usr/bin/env python3
"""Runs the Python tests (pytest) for meson test.

usage: run.py LIBRARY SOURCE_ROOT [--need MODULE ...] [pytest args ...]

The tests need numpy and pytest (and the --need modules). The first Python
that has them is used: $CLGOOGLENET_PYTHON, the venv tools/setup-debian.sh
--python makes (/opt/clgooglenet/venv), then this interpreter. Without one
the test is skipped (exit 77) with the reason.
"""
import os
import subprocess
import sys

SKIP = 77
DEFAULT_VENV = "/opt/clgooglenet/venv"


def main():
    lib, root = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    need = ["numpy", "pytest"]
    while len(rest) >= 2 and rest[0] == "--need":
        need.append(rest[1])
        rest = rest[2:]
    candidates = []
    if os.environ.get("CLGOOGLENET_PYTHON"):
        candidates.append(os.environ["CLGOOGLENET_PYTHON"])
    candidates += [os.path.join(os.environ.get("CLGOOGLENET_VENV", DEFAULT_VENV), "bin", "python"), sys.executable]
    probe = "import " + ", ".join(need)
    tried = []
    for py in candidates:
        if not os.path.exists(py):
            tried.append(f"{py} (absent)")
            continue
        r = subprocess.run([py, "-c", probe], capture_output=True, text=True)
        if r.returncode == 0:
            break
        tried.append(f"{py} ({r.stderr.strip().splitlines()[-1] if r.stderr.strip() else 'import failed'})")
    else:
        print(f"SKIP: no Python with {', '.join(need)}; tried {'; '.join(tried)}. "
              f"Install them with tools/setup-debian.sh --python, or set CLGOOGLENET_PYTHON.")
        return SKIP
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(root, "tools", "python") + os.pathsep + env.get("PYTHONPATH", "")
    env["CLGOOGLENET_LIBRARY"] = lib
    env["CLGOOGLENET_SOURCE_ROOT"] = root
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    print(f"running the Python tests with {py}", flush=True)
    cmd = [py, "-m", "pytest", "-p", "no:cacheprovider", "-ra", *rest]
    return subprocess.run(cmd, env=env, cwd=os.path.join(root, "tests", "python")).returncode


if __name__ == "__main__":
    sys.exit(main())
