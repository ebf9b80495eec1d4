# Makefile — a thin front over CMake.  Everything real is in CMakeLists.txt.
#
#   make deps      check the Debian packages; install the missing ones as root
#   make build     configure and build in build/ (PYTHON=... picks the interpreter)
#   make demo      build, then run objref-chain on examples/leaky_service.py
#                  (the picture of the chains: build/demo.png, the page: build/demo.html)
#   make test      build + ctest; ASan+UBSan build + ctest; every CPython 3.8-3.13
#                  (make test-build / test-asan / test-pythons: one stage)
#   make docs      the pictures of docs/ (docs/pictures.txt), drawn by objref-chain,
#                  and the screenshot of the HTML report (needs chromium)
#   make bench     build, then bench/run.sh: docs/benchmarks.md and its plot
#                  (BENCH_ARGS=--quick: 1e5 objects only, into $(BUILD)/bench-quick)
#   make install   cmake --install build, then the module and objref-chain-3.X
#                  for every other CPython 3.8-3.13 found (PREFIX=..., DESTDIR=...
#                  honoured; INSTALL_PYTHONS="3.12 3.13" limits them)
#   make clean     remove the build directories
#
# Variables: PYTHON, BUILD (build), ASAN_BUILD (build-asan), PY_BUILD_ROOT
# (build-py), JOBS (2), PREFIX (CMake's default), CMAKE_ARGS (extra -D...),
# BENCH_ARGS (bench/bench.py's options).

PYTHON ?= $(shell if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else echo python3; fi)
BUILD ?= build
ASAN_BUILD ?= build-asan
PY_BUILD_ROOT ?= build-py
JOBS ?= 2
PREFIX ?=
CMAKE ?= cmake
CTEST ?= ctest
CMAKE_ARGS ?=

# Nested makes (cmake --build) need not announce every directory.
MAKEFLAGS += --no-print-directory

DEB_PACKAGES := cmake pkg-config gcc make gdb python3-dev libgraphviz-dev libpng-dev zlib1g-dev \
	fonts-dejavu-core python3-venv python3-objgraph python-objgraph-doc python3-pytest

.PHONY: all deps build demo docs test test-build test-asan test-pythons bench install clean
# The steps depend on each other in the order written; the parallelism is
# inside the builds (-j$(JOBS)).
.NOTPARALLEL:

all: build

deps:
	@if ! command -v dpkg >/dev/null 2>&1; then \
		echo "deps: no dpkg here; make sure these (or your system's equivalents) are installed:"; \
		echo "  $(DEB_PACKAGES)"; \
		exit 0; \
	fi; \
	missing=""; \
	for p in $(DEB_PACKAGES); do \
		dpkg -s "$$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all present"; exit 0; fi; \
	echo "deps: missing:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	else \
		echo "deps: not root; run:"; \
		echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$$missing"; \
		exit 1; \
	fi

# Configuring every time is cheap on an existing cache and picks up a new PYTHON.
# Tests are asked for explicitly: a cache left with OBJREF_BUILD_TESTS=OFF
# would otherwise run stale tests.
build:
	$(CMAKE) -S . -B $(BUILD) -DOBJREF_BUILD_TESTS=ON -DPython3_EXECUTABLE=$(PYTHON) $(CMAKE_ARGS)
	$(CMAKE) --build $(BUILD) -j$(JOBS)

demo: deps build
	$(BUILD)/cli/objref-chain --growth -o $(BUILD)/demo.png --html $(BUILD)/demo.html examples/leaky_service.py

# The pictures of docs/: one objref-chain run per line of docs/pictures.txt
# (hash seed fixed, so the same program draws the same picture); the .dot
# written beside each PNG is dropped: the PNG carries it.  A line whose
# arguments hold {SCRIPT} attaches to a service: SCRIPT is started with
# $(PYTHON), objref-chain gets its pid there once it prints "ready", and
# the service is stopped after.
docs: deps build
	@grep -v '^#' docs/pictures.txt | while read -r name args; do \
		[ -n "$$name" ] || continue; \
		svc=""; \
		case "$$args" in *"{"*) \
			script=$$(echo "$$args" | sed 's/.*{\([^}]*\)}.*/\1/'); \
			PYTHONHASHSEED=0 $(PYTHON) $$script >$(BUILD)/docs-service.out & svc=$$!; \
			for i in $$(seq 200); do grep -q ready $(BUILD)/docs-service.out && break; sleep 0.05; done; \
			args=$$(echo "$$args" | sed "s/{[^}]*}/$$svc/");; \
		esac; \
		PYTHONHASHSEED=0 $(BUILD)/cli/objref-chain -o docs/img/$$name $$args >/dev/null; rc=$$?; \
		[ -z "$$svc" ] || kill $$svc; \
		[ $$rc = 0 ] || exit 1; \
		rm -f docs/img/$${name%.png}.dot; \
		echo "docs/img/$$name"; \
	done
	@PYTHONHASHSEED=0 $(BUILD)/cli/objref-chain --no-picture --html $(BUILD)/docs-report.html \
		examples/leaky_service.py >/dev/null || exit 1; \
	if command -v chromium >/dev/null 2>&1; then \
		chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --window-size=1100,1500 \
			--screenshot=$(CURDIR)/docs/img/screenshots/html-report.png file://$(abspath $(BUILD))/docs-report.html \
			>/dev/null 2>&1 || exit 1; \
		echo "docs/img/screenshots/html-report.png"; \
	else \
		echo "docs: chromium is not installed (apt-get install chromium): docs/img/screenshots/html-report.png not redrawn"; \
	fi

# Every stage runs even if an earlier one failed; the summary says which did.
test: deps build
	@failed=""; \
	$(MAKE) test-build || failed="$$failed test-build($(BUILD))"; \
	$(MAKE) test-asan || failed="$$failed test-asan($(ASAN_BUILD))"; \
	$(MAKE) test-pythons || failed="$$failed test-pythons($(PY_BUILD_ROOT))"; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo "make test: all passed"

test-build:
	$(CTEST) --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test-asan:
	$(CMAKE) -S . -B $(ASAN_BUILD) -DOBJREF_SANITIZE=ON -DOBJREF_BUILD_TESTS=ON -DPython3_EXECUTABLE=$(PYTHON) $(CMAKE_ARGS)
	$(CMAKE) --build $(ASAN_BUILD) -j$(JOBS)
	$(CTEST) --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS)

test-pythons:
	JOBS=$(JOBS) PY_BUILD_ROOT=$(PY_BUILD_ROOT) tests/run_pythons.sh

bench: build
	@if [ -f bench/run.sh ]; then \
		OBJREF_BUILD_DIR=$(BUILD) PYTHON=$(PYTHON) bash bench/run.sh $(BENCH_ARGS); \
	else \
		echo "bench: no bench/run.sh yet"; \
	fi

# The main build, then every other supported Python found (module and
# libexec/objref/objref-chain-3.X; INSTALL_PYTHONS="3.12" limits them).
install: build
	$(CMAKE) --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))
	PY_BUILD_ROOT=$(PY_BUILD_ROOT) JOBS=$(JOBS) cmake/install_pythons.sh \
		$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])') $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(PY_BUILD_ROOT)
