#!/usr/bin/env bash
# `debian-package.sh <command> <package>`: installs the Debian package when the command is missing and we may
# (as root, or with sudo that asks for no password); otherwise says how to install it. Never fails by itself:
# whoever needs the command reports its absence where it matters.
set -uo pipefail
command_name="$1"
package="$2"
command -v "$command_name" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "$command_name is not installed and cannot be installed from here: run 'sudo apt-get install -y $package'." >&2
  exit 0
fi
echo "› installing $package from Debian"
# The package lists may be missing on a fresh machine; an update that fails still lets a cached list serve.
"${sudo[@]}" apt-get update -qq || true
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
