# notifier: build, test, demo and benchmark on a Debian machine with the Swift toolchain.
# `make demo` and `make test` install what they need first (make deps).

SWIFT ?= swift
FUZZ_SECONDS ?= 60
# System packages: libcurl, SQLite and libcrypto headers to build; python3 to compare with Python's email package; Postfix,
# Dovecot (SASL for Postfix) and openssl for the test mail servers; mblaze, time and fetchmail for the benchmark's peers;
# binutils (strip, readelf), dpkg-dev (dpkg-shlibdeps), lintian, man-db and groff-base, bash-completion, zsh and
# systemd (systemd-analyze) to build and check the package (Tests/Package/check-deb.sh).
DEB_PACKAGES := libcurl4-openssl-dev libsqlite3-dev libssl-dev pkg-config python3 python3-venv postfix dovecot-core dovecot-imapd dovecot-pop3d openssl mblaze time fetchmail binutils dpkg-dev lintian man-db groff-base bash-completion zsh systemd

.PHONY: all deps build release install deb test fuzz demo bench format lint clean

all: build

deps:
	@scripts/deps.sh $(DEB_PACKAGES)

build: deps
	$(SWIFT) build

# The release binary carries the Swift runtime (--static-swift-stdlib): it needs only the system's libcurl, SQLite and
# libcrypto, and starts in half the time (16 ms against 34 ms for `notifier --version` here), which counts for a
# command that a mail server, a portal or a timer starts once per message or request. No $ORIGIN run path: the
# installed binary loads libraries from the system's folders only.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --disable-local-rpath

# `make install PREFIX=/usr/local DESTDIR=`: the release binary, its man pages and bash and zsh completion (made by
# the binary from its option tables: `notifier internal man DIR`, `notifier internal completion SHELL`), the
# systemd units (ExecStart pointed at PREFIX/bin/notifier; in /lib/systemd/system for PREFIX=/usr, else in
# PREFIX/lib/systemd/system) and /etc/notifier/config.example. It never writes /etc/notifier/config itself.
# SOURCE_DATE_EPOCH (the last commit's time) dates the man pages, so two builds of one commit install the same files.
PREFIX ?= /usr/local
DESTDIR ?=
UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
# zsh looks in share/zsh/vendor-completions under /usr, and in share/zsh/site-functions under /usr/local.
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)/etc/notifier
	install -m 0755 .build/release/notifier $(DESTDIR)$(PREFIX)/bin/notifier
	.build/release/notifier internal man $(DESTDIR)$(PREFIX)/share/man/man1 >/dev/null
	.build/release/notifier internal completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/notifier
	.build/release/notifier internal completion zsh > $(DESTDIR)$(ZSHCOMPDIR)/_notifier
	for unit in contrib/systemd/*.service contrib/systemd/*.timer; do \
		sed 's|/usr/local/bin/notifier|$(PREFIX)/bin/notifier|g' "$$unit" > $(DESTDIR)$(UNITDIR)/$$(basename "$$unit"); \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename "$$unit"); \
	done
	install -m 0644 contrib/notifier.conf.example $(DESTDIR)/etc/notifier/config.example

# `make deb`: notifier_VERSION-1_amd64.deb (VERSION: `notifier --version`), built with dpkg-deb from `make install
# PREFIX=/usr` into a staging root (scripts/make-deb.sh: stripped binary, compressed man pages, the configuration
# as a conffile, the notifier user and /var/lib/notifier made by the postinst).
deb: release
	scripts/make-deb.sh

# The test command: the test mail servers checked on their own (Tests/Servers/smoke.sh, about 10 s: every port and
# faulty mode with Python's smtplib, imaplib and curl, and nothing left after stop.sh), then unit, CLI and
# integration tests (Swift Testing) against real mail servers started on 127.0.0.1 for the run and stopped by PID
# afterwards, then the package (Tests/Package/check-deb.sh: the release build, `make deb`, and the unpacked package
# checked without the toolchain, with lintian, man, bash and systemd-analyze), then the fuzz target for a bounded
# time. First the layout check (make lint, a few seconds): code that
# does not follow .swift-format fails the tests.
test: deps lint
	Tests/Servers/smoke.sh
	$(SWIFT) build --build-tests
	Tests/Servers/with-servers.sh $(SWIFT) test --skip-build
	Tests/Package/check-deb.sh
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
	rm -rf .build fuzz/out bench/out dist
