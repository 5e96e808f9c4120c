#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet. Runs apt-get only when something is
# missing, so a second `make test` costs nothing.
set -euo pipefail

missing=()
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
        sudo="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The peer tests compare with Python's email package on CPython's own email test data.
python_with_email_data() {
    "$1" -c 'import test.test_email, os, sys; sys.exit(0 if os.path.isdir(os.path.join(os.path.dirname(test.test_email.__file__), "data")) else 1)' 2>/dev/null
}
if ! python_with_email_data python3; then
    if ! python_with_email_data /usr/bin/python3; then
        version=$(/usr/bin/python3 -c 'import sys; print(f"{sys.version_info.major}.{sys.version_info.minor}")')
        echo "deps: installing libpython${version}-testsuite (CPython's email test data)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq --no-install-recommends "libpython${version}-testsuite" >/dev/null
    fi
fi
