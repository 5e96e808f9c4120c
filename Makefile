# notifier: build, test, demo and benchmark on a Debian machine with the Swift toolchain.
# `make demo` and `make test` install what they need first (make deps).

SWIFT ?= swift
FUZZ_SECONDS ?= 60
# System packages: libcurl and SQLite headers to build; python3 to compare with Python's email package;
# mblaze and time for the benchmark's peers and memory figures.
DEB_PACKAGES := libcurl4-openssl-dev libsqlite3-dev pkg-config python3 mblaze time

.PHONY: all deps build release test unit-test fuzz demo bench clean

all: build

deps:
	@scripts/deps.sh $(DEB_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The test command: unit and CLI tests (Swift Testing), then the fuzz target for a bounded time.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	bash fuzz/run.sh $(FUZZ_SECONDS)

unit-test: deps
	$(SWIFT) test

fuzz: deps
	bash fuzz/run.sh $(FUZZ_SECONDS)

# The main job on built-in defaults: read the sample notices the way the vendor side will.
demo: build
	scripts/demo.sh .build/debug/notifier

bench: release
	bash bench/run.sh .build/release/notifier

clean:
	rm -rf .build fuzz/out bench/out
