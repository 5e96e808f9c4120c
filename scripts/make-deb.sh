#!/usr/bin/env bash
# Builds dist/notifier_VERSION-1_amd64.deb from the release binary (make release), with dpkg-deb: `make install
# PREFIX=/usr` into a staging root, then what Debian asks of a package: the binary stripped, the man pages and the
# changelog compressed, the copyright, md5sums, the configuration /etc/notifier/config as a conffile (the
# commented example: a fresh install runs on built-in defaults until it is edited), and the postinst that makes
# the notifier user and /var/lib/notifier. Depends comes from dpkg-shlibdeps (the libraries the binary really
# loads: libcurl4, libsqlite3-0, libssl3, libc6 ...) plus adduser for the postinst. Prints the package's path.
# Compressed with gzip, not xz: xz takes a minute more on the 60 MB binary (the Swift runtime and ICU data).
set -euo pipefail
root_dir="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root_dir"
binary=.build/release/notifier
[ -x "$binary" ] || { echo "make-deb: $binary is missing; run make release first" >&2; exit 1; }

version=$("$binary" --version | sed -n '1s/^notifier //p')
[[ $version =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || { echo "make-deb: cannot read the version from $binary --version" >&2; exit 1; }
debian_version="$version-1"
architecture=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-"notifier maintainers <notifier@to-kousya.example>"}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The staging root where dpkg-shlibdeps looks for a package's files: debian/PACKAGE beside debian/control.
stage="$work/debian/notifier"

make --no-print-directory install PREFIX=/usr DESTDIR="$stage" >/dev/null
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/notifier"
gzip -9n "$stage"/usr/share/man/man1/*.1
mv "$stage/etc/notifier/config.example" "$stage/etc/notifier/config"
chmod 0644 "$stage/etc/notifier/config"

doc="$stage/usr/share/doc/notifier"
install -d "$doc"
install -m 0644 contrib/debian/copyright "$doc/copyright"
changelog_date=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
cat > "$doc/changelog.Debian" <<CHANGELOG
notifier ($debian_version) unstable; urgency=medium

  * notifier $version: the release binary with the Swift runtime linked in,
    its man pages, bash and zsh completion, hardened systemd units and an
    example configuration.

 -- $maintainer  $changelog_date
CHANGELOG
gzip -9n "$doc/changelog.Debian"

# Depends: what the stripped binary loads, as dpkg-shlibdeps finds it (it wants a debian/control to read).
install -d -m 0755 "$stage/DEBIAN"
printf 'Source: notifier\n\nPackage: notifier\nArchitecture: any\n' > "$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O debian/notifier/usr/bin/notifier | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "make-deb: dpkg-shlibdeps found no libraries" >&2; exit 1; }

install -m 0755 contrib/debian/postinst contrib/debian/postrm "$stage/DEBIAN/"
(cd "$stage" && find etc -type f | sed 's|^|/|' | sort) > "$stage/DEBIAN/conffiles"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
    > "$stage/DEBIAN/md5sums"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: notifier
Version: $debian_version
Architecture: $architecture
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: adduser, $shlibs
Section: mail
Priority: optional
Description: keeps the yearly client-certificate renewal from getting lost
 notifier serves both sides of the yearly client-certificate renewal of an
 e-bidding system. The issuer keeps a vendor registry, sends every vendor its
 personal update notice once (crash-safe, with retries), reads the bounces,
 sends reminders and issues and verifies one-time passwords. A vendor watches
 its mailbox for the notices, keeps their download URLs and relays fresh
 one-time passwords.
 .
 The binary carries the Swift runtime; it needs only libcurl, SQLite and
 OpenSSL's libcrypto. systemd units for the issuer's daily notices, the
 reminder waves and the vendor's watcher are included, hardened.
CONTROL

find "$stage" -type d -exec chmod 0755 {} +
chmod 0755 "$stage/usr/bin/notifier"
mkdir -p dist
package="dist/notifier_${debian_version}_$architecture.deb"
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$package" >/dev/null
echo "$package"
