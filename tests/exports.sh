#!/bin/bash
# The shared library exports exactly the functions clgooglenet.h declares
# with CLG_API: nothing internal (nm -D --defined-only), none missing.
# usage: exports.sh LIBRARY HEADER
set -euo pipefail
lib=$1 header=$2
command -v nm >/dev/null || { echo "SKIP: nm (binutils) is not installed"; exit 77; }
exported=$(nm -D --defined-only "$lib" | awk 'NF >= 3 {print $3}' | sed 's/@.*//' | sort -u)
declared=$(grep -E '^CLG_API ' "$header" | sed -E 's/^CLG_API [^(]*\b(clg_[a-z0-9_]+)\(.*/\1/' | sort -u)
extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
echo "$(echo "$exported" | wc -l) symbols exported, $(echo "$declared" | wc -l) functions declared CLG_API"
status=0
if [ -n "$extra" ]; then
    echo "exported but not public:"; echo "$extra" | sed 's/^/  /'; status=1
fi
if [ -n "$missing" ]; then
    echo "declared CLG_API but not exported:"; echo "$missing" | sed 's/^/  /'; status=1
fi
exit $status
