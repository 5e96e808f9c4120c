# notifier: build, test, demo and benchmark on a Debian machine with the Swift toolchain.
# `make demo` and `make test` install what they need first (make deps).

SWIFT ?= swift
FUZZ_SECONDS ?= 60
# System packages: libcurl, SQLite and libcrypto headers to build; python3 to compare with Python's email package; Postfix,
# Dovecot (SASL for Postfix) and openssl for the test mail servers; mblaze and time for the benchmark's peers.
DEB_PACKAGES := libcurl4-openssl-dev libsqlite3-dev libssl-dev pkg-config python3 python3-venv postfix dovecot-core dovecot-imapd dovecot-pop3d openssl mblaze time

.PHONY: all deps build release test fuzz demo bench format lint clean

all: build

deps:
	@scripts/deps.sh $(DEB_PACKAGES)

build: deps
	$(SWIFT) build

# The release binary carries the Swift runtime (--static-swift-stdlib): it needs only the system's libcurl, SQLite and
# libcrypto, and starts in half the time (16 ms against 34 ms for `notifier --version` here), which counts for a
# command that a mail server, a portal or a timer starts once per message or request.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib

# The test command: the test mail servers checked on their own (Tests/Servers/smoke.sh, about 10 s: every port and
# faulty mode with Python's smtplib, imaplib and curl, and nothing left after stop.sh), then unit, CLI and
# integration tests (Swift Testing) against real mail servers started on 127.0.0.1 for the run and stopped by PID
# afterwards, then the fuzz target for a bounded time. First the layout check (make lint, a few seconds): code that
# does not follow .swift-format fails the tests.
test: deps lint
	Tests/Servers/smoke.sh
	$(SWIFT) build --build-tests
	Tests/Servers/with-servers.sh $(SWIFT) test --skip-build
	bash fuzz/run.sh $(FUZZ_SECONDS)

fuzz: deps
	bash fuzz/run.sh $(FUZZ_SECONDS)

# The code's layout, by .swift-format (120 columns): `format` rewrites the files in place, `lint` only says where they
# differ (and fails then). Generated files opt out with `// swift-format-ignore-file`.
SWIFT_FORMAT_PATHS := Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive --parallel $(SWIFT_FORMAT_PATHS)

lint:
	$(SWIFT) format lint --strict --recursive --parallel $(SWIFT_FORMAT_PATHS)

# The main job on built-in defaults: read the sample notices the way the vendor side will.
demo: build
	scripts/demo.sh .build/debug/notifier

bench: release
	bash bench/run.sh .build/release/notifier

clean:
	rm -rf .build fuzz/out bench/out
