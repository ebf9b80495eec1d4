#!/usr/bin/env bash
# bench/run.sh — what `make bench` runs (after building): the benchmarks at
# 1e5, 1e6 and 3e6 tracked objects (1e7 when memory allows), written to
# docs/benchmarks.md, docs/benchmarks.png and docs/benchmarks.json.
#
#   OBJREF_BUILD_DIR  the build holding python/objref*.so, bench/objref_floor*.so (build)
#   PYTHON            the interpreter that build was made for (/usr/bin/python3)
#   arguments         passed to bench/bench.py: --quick (1e5 only, into
#                     $OBJREF_BUILD_DIR/bench-quick), --sizes 1e5,1e6, --repeat N ...
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
exec "$PYTHON" bench/bench.py --build-dir "${OBJREF_BUILD_DIR:-build}" "$@"
