#!/bin/sh
# The Node image's build context: the host's node binary plus the shared libraries ldd lists, copied under rootfs/
# at their own paths, so a FROM scratch image can run it (like shell-form's busybox). Process form needs none of this.
set -eu
cd "$(dirname "$0")"
node=$(readlink -f "$(command -v node)")
rm -rf rootfs
mkdir -p rootfs/usr/bin
cp "$node" rootfs/usr/bin/node
# "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"; skip linux-vdso
for lib in $(ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
  mkdir -p "rootfs$(dirname "$lib")"
  cp -L "$lib" "rootfs$lib"
done
