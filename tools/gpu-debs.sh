#!/bin/bash
# Downloads into .gpu-debs/ (repository root, git-ignored through
# .git/info/exclude) the Debian 12 packages that a machine without them needs
# to build and test clgooglenet: the OpenCL ICD loader and headers, CLBlast,
# protobuf-c (library and protoc-c), Check, libpng, libturbojpeg, zlib headers,
# pkgconf and the ONNX schema (libonnx-dev). About 6 MB.
#
# Run it here (Debian 12, network); tools/gpu-check.sh unpacks the files into a
# private prefix on a machine that cannot reach any network. It also leaves
# protoc-c's output for the ONNX schema in .gpu-debs/pregen/, which
# gpu-check.sh uses when the unpacked protoc-c cannot run there (an older
# glibc or libstdc++).
#
#   bash tools/gpu-debs.sh          # download (again) and list what is there
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

packages=(
    ocl-icd-libopencl1 ocl-icd-opencl-dev opencl-c-headers
    libclblast1 libclblast-dev
    libprotobuf-c1 libprotobuf-c-dev protobuf-c-compiler libprotoc32 libprotobuf32
    check libsubunit0 libsubunit-dev
    libpng16-16 libpng-dev libturbojpeg0 libturbojpeg0-dev zlib1g-dev
    pkgconf-bin libpkgconf3
    libonnx-dev
)

dest=$root/.gpu-debs
exclude=$(git rev-parse --git-path info/exclude 2>/dev/null || echo .git/info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qxF '/.gpu-debs/' "$exclude" 2>/dev/null || echo '/.gpu-debs/' >> "$exclude"

rm -rf "$dest.new"
mkdir -p "$dest.new"
sandbox=()
[ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)   # no _apt warning
(cd "$dest.new" && apt-get download -q "${sandbox[@]}" "${packages[@]}")
# Epochs come out as %3a in the names; keep the names plain.
for f in "$dest.new"/*%3a*; do
    [ -e "$f" ] && mv "$f" "${f//%3a/_}"
done

# protoc-c's output for the ONNX schema, a fallback for gpu-check.sh.
mkdir -p "$dest.new/pregen"
proto=/usr/include/onnx/onnx.proto
if command -v protoc-c >/dev/null && [ -f "$proto" ]; then
    protoc-c --proto_path="$(dirname "$proto")" --c_out="$dest.new/pregen" "$proto"
else
    echo "gpu-debs: no protoc-c or $proto here; no pregenerated onnx.pb-c.[ch]" >&2
fi

# A record of what was fetched.
{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(. /etc/os-release && echo "$PRETTY_NAME")"
    for f in "$dest.new"/*.deb; do
        printf '%s  %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$(basename "$f")"
    done
} > "$dest.new/MANIFEST"

# Every package must be there, once.
missing=0
for p in "${packages[@]}"; do
    n=$(ls "$dest.new"/"${p}"_*.deb 2>/dev/null | wc -l)
    if [ "$n" -ne 1 ]; then
        echo "gpu-debs: $p: $n files" >&2
        missing=1
    fi
done
[ "$missing" = 0 ] || { echo "gpu-debs: incomplete download, left in $dest.new" >&2; exit 1; }

rm -rf "$dest"
mv "$dest.new" "$dest"
ls -l "$dest"/*.deb "$dest"/pregen
du -sh "$dest"
echo "gpu-debs: ${#packages[@]} packages in .gpu-debs/; on the GPU machine: bash tools/gpu-check.sh"
