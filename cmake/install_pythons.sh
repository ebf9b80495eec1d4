#!/usr/bin/env bash
# cmake/install_pythons.sh — `make install` for the other supported Pythons:
# for every CPython 3.8 .. 3.13 found (pyenv's versions, python3.X on PATH,
# /usr/bin, /usr/local/bin; one per minor version, newest patch first) other
# than MAIN_MINOR, build the module and objref-chain for it in
# $PY_BUILD_ROOT/3.X and install the module into that Python's site-packages
# and objref-chain as <prefix>/libexec/objref/objref-chain-3.X (bin/ keeps
# the main one).
#
#   cmake/install_pythons.sh MAIN_MINOR [PREFIX]     (DESTDIR honoured)
#
# INSTALL_PYTHONS="3.12 3.13" limits the versions.  A version without
# headers is skipped, saying so.  Exit status 1 if a found version failed.
set -uo pipefail

main=$1
prefix=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
build_root=${PY_BUILD_ROOT:-build-py}
case $build_root in /*) ;; *) build_root=$root/$build_root ;; esac
jobs=${JOBS:-2}
versions=${INSTALL_PYTHONS:-3.8 3.9 3.10 3.11 3.12 3.13}

find_python() {
	local v=$1 proot d c
	proot=$(pyenv root 2>/dev/null || true)
	[ -n "$proot" ] || proot=${PYENV_ROOT:-$HOME/.pyenv}
	{
		for d in $(ls -1 "$proot/versions" 2>/dev/null | sort -rV); do
			echo "$proot/versions/$d/bin/python$v"
		done
		command -v "python$v" 2>/dev/null
		echo "/usr/bin/python$v"
		echo "/usr/local/bin/python$v"
	} | while IFS= read -r c; do
		[ -x "$c" ] || continue
		c=$("$c" -c 'import sys; print(sys.executable if "%d.%d" % sys.version_info[:2] == sys.argv[1] else "")' "$v" 2>/dev/null)
		[ -n "$c" ] && { echo "$c"; break; }
	done
}

failed=0
for v in $versions; do
	[ "$v" = "$main" ] && continue
	py=$(find_python "$v")
	if [ -z "$py" ]; then
		echo "install_pythons: Python $v: not found, skipped"
		continue
	fi
	if ! "$py" -c 'import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)'; then
		echo "install_pythons: Python $v ($py): no Python.h (install python$v-dev), skipped"
		continue
	fi
	dir=$build_root/$v
	mkdir -p "$build_root"
	echo "install_pythons: Python $v ($py) -> $dir"
	if cmake -S "$root" -B "$dir" -DOBJREF_PYTHON_ONLY=ON -DOBJREF_INSTALL_CLI_BIN=OFF \
		-DPython3_EXECUTABLE="$py" > "$dir.install.log" 2>&1 &&
	   cmake --build "$dir" -j"$jobs" >> "$dir.install.log" 2>&1 &&
	   cmake --install "$dir" ${prefix:+--prefix "$prefix"} >> "$dir.install.log" 2>&1; then
		grep -E 'Installing|Up-to-date' "$dir.install.log" | sed 's/^/  /'
	else
		echo "install_pythons: Python $v FAILED; see $dir.install.log"
		failed=1
	fi
done
exit $failed
