#!/usr/bin/env bash
# The tests compare against tools no one here wrote: nasm, qemu-system-i386 and python3-unicorn
# (Debian's, imported by /usr/bin/python3). Installs what is missing when it can (root with apt),
# otherwise says exactly what to run.
set -euo pipefail
missing=()
command -v nasm >/dev/null 2>&1 || missing+=(nasm)
command -v qemu-system-i386 >/dev/null 2>&1 || missing+=(qemu-system-x86)
/usr/bin/python3 -c 'import unicorn' >/dev/null 2>&1 || missing+=(python3 python3-unicorn)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-tools: installing ${missing[*]} (Debian packages)" >&2
  apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "ensure-tools: the tests need: ${missing[*]}. Install with: sudo apt-get install -y ${missing[*]}" >&2
exit 1
