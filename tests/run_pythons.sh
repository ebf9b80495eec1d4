#!/usr/bin/env bash
# tests/run_pythons.sh — build the Python faces (module, objref-chain) against
# every supported CPython found here and run their tests.
#
#   tests/run_pythons.sh            every version of 3.8 .. 3.13
#   tests/run_pythons.sh 3.11 3.12  only these
#
# Interpreters are looked for, per minor version, in pyenv's versions
# (`pyenv root`/versions/*/bin/python3.X, newest patch first), then python3.X
# on PATH, in /usr/bin and /usr/local/bin.  Each found one gets its own build,
# $PY_BUILD_ROOT/3.X (default build-py/3.X), configured with
# OBJREF_PYTHON_ONLY=ON, and its ctest (the Python-based tests) is run.  The
# built objref-chain must start (it embeds libpython, which pyenv installs
# as a shared library under <prefix>/lib).
#
# A table at the end says, per version: passed, FAILED (and which step), or
# SKIPPED (absent) / SKIPPED (no headers).  Exit status: 1 if any version that
# is present failed, else 0.  JOBS (default 2) sets the build parallelism.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_root=${PY_BUILD_ROOT:-build-py}
case $build_root in /*) ;; *) build_root=$root/$build_root ;; esac
jobs=${JOBS:-2}
supported=(3.8 3.9 3.10 3.11 3.12 3.13)
if [ $# -gt 0 ]; then
	versions=("$@")
else
	versions=("${supported[@]}")
fi

# The minor version ("3.11") an interpreter reports, or nothing.
py_minor() {
	"$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

# The real path of an interpreter (resolves pyenv shims), or nothing.
py_real() {
	"$1" -c 'import sys; print(sys.executable)' 2>/dev/null
}

# Candidates for version $1, in order of preference, one a line.
candidates() {
	local v=$1 proot d
	proot=$(pyenv root 2>/dev/null || true)
	[ -n "$proot" ] || proot=${PYENV_ROOT:-$HOME/.pyenv}
	if [ -d "$proot/versions" ]; then
		for d in $(ls -1 "$proot/versions" 2>/dev/null | sort -rV); do
			[ -x "$proot/versions/$d/bin/python$v" ] && echo "$proot/versions/$d/bin/python$v"
		done
	fi
	command -v "python$v" 2>/dev/null || true
	for d in /usr/bin /usr/local/bin; do
		[ -x "$d/python$v" ] && echo "$d/python$v"
	done
}

# The first working interpreter for version $1, or nothing.
find_python() {
	local v=$1 c real
	while IFS= read -r c; do
		[ -n "$c" ] || continue
		[ "$(py_minor "$c")" = "$v" ] || continue
		real=$(py_real "$c")
		[ -n "$real" ] || continue
		echo "$real"
		return 0
	done < <(candidates "$v")
	return 1
}

has_headers() {
	"$1" -c 'import os, sys, sysconfig
sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' \
		2>/dev/null
}

# Build and test version $1 with interpreter $2 in $3; the step that failed,
# or nothing.  Output goes to $3/run.log.
build_and_test() {
	local v=$1 py=$2 dir=$3 log=$3/run.log chain
	mkdir -p "$dir"
	: > "$log"
	echo "== configure" >> "$log"
	cmake -S "$root" -B "$dir" -DOBJREF_PYTHON_ONLY=ON -DOBJREF_BUILD_TESTS=ON \
		-DPython3_EXECUTABLE="$py" >> "$log" 2>&1 || { echo configure; return; }
	echo "== build" >> "$log"
	cmake --build "$dir" -j"$jobs" >> "$log" 2>&1 || { echo build; return; }
	chain=$dir/cli/objref-chain
	echo "== objref-chain starts" >> "$log"
	if ldd "$chain" 2>&1 | grep -q 'not found'; then
		ldd "$chain" >> "$log" 2>&1
		echo "objref-chain: a shared library is not found (rpath?)"
		return
	fi
	"$chain" --version >> "$log" 2>&1 || { echo "objref-chain --version"; return; }
	"$chain" --version 2>&1 | grep -q "Python ${v//./\\.}\\." ||
		{ echo "objref-chain --version names another Python"; return; }
	echo "== ctest" >> "$log"
	# bench.quick is left out, not skipped, where slow=0: a run of no test
	# fails from Python 3.12 on (unittest's exit status 5)
	local skip=()
	[ "$slow" = 1 ] || skip=(-E '^bench\.quick$')
	OBJREF_TEST_SLOW=$slow ctest --test-dir "$dir" --output-on-failure -j"$jobs" "${skip[@]}" \
		>> "$log" 2>&1 || { echo ctest; return; }
}

# The slow tests that check nothing version-specific twice (pip install,
# the quick benchmark) run for the oldest and the newest version found;
# OBJREF_TEST_SLOW=0 skips them for the others (their tests say so).
found=()
for v in "${versions[@]}"; do
	case " ${supported[*]} " in *" $v "*) find_python "$v" >/dev/null && found+=("$v") ;; esac
done
declare -A result path
present=0
failed=0
for v in "${versions[@]}"; do
	slow=0
	if [ ${#found[@]} -gt 0 ] && { [ "$v" = "${found[0]}" ] || [ "$v" = "${found[-1]}" ]; }; then
		slow=1
	fi
	case " ${supported[*]} " in
	*" $v "*) ;;
	*)
		result[$v]="SKIPPED (not supported: ${supported[0]} .. ${supported[-1]})"
		path[$v]="-"
		echo "run_pythons: $v is not a supported version, SKIPPED"
		continue
		;;
	esac
	py=$(find_python "$v") || py=""
	if [ -z "$py" ]; then
		result[$v]="SKIPPED (absent)"
		path[$v]="-"
		echo "run_pythons: $v: no interpreter found, SKIPPED"
		continue
	fi
	path[$v]=$py
	if ! has_headers "$py"; then
		result[$v]="SKIPPED (no headers: install python$v-dev)"
		echo "run_pythons: $v: $py has no Python.h, SKIPPED"
		continue
	fi
	present=$((present + 1))
	echo "run_pythons: $v: $py -> $build_root/$v"
	step=$(build_and_test "$v" "$py" "$build_root/$v")
	if [ -z "$step" ]; then
		result[$v]="passed"
	else
		result[$v]="FAILED ($step; see $build_root/$v/run.log)"
		failed=$((failed + 1))
		echo "run_pythons: $v FAILED at $step; the end of $build_root/$v/run.log:"
		tail -n 40 "$build_root/$v/run.log" | sed 's/^/    /'
	fi
done

echo
printf '%-8s %-48s %s\n' version interpreter result
for v in "${versions[@]}"; do
	printf '%-8s %-48s %s\n' "$v" "${path[$v]}" "${result[$v]}"
done
absent=0
for v in "${versions[@]}"; do
	case ${result[$v]} in SKIPPED*) absent=$((absent + 1)) ;; esac
done
echo "$((present - failed)) passed, $failed failed, $absent skipped"
[ "$failed" -eq 0 ]
