#!/bin/sh
# Install the Debian packages delegit needs to build, test and demonstrate,
# only those missing. Works as root, or through sudo.
set -eu

packages="gcc make cmake pkg-config git libgit2-dev libyaml-dev uuid-dev libssl-dev
libcmocka-dev python3 python3-yaml valgrind lighttpd chromium
clang libclang-rt-14-dev taskwarrior openssh-client openssh-server gcovr
python3-icalendar man-db dpkg-dev zsh"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "error: missing packages:$missing (run as root or install sudo)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
