#!/bin/sh
# The gRPC image's build context, under rootfs/: the host's node binary with the shared libraries ldd lists (as
# targets/node/build.sh does), and under /app/node_modules the packages @grpc/grpc-js and @grpc/proto-loader need,
# copied from the repository's node_modules. Process form needs none of this.
set -eu
cd "$(dirname "$0")"
node=$(readlink -f "$(command -v node)")
rm -rf rootfs
mkdir -p rootfs/usr/bin rootfs/app
cp "$node" rootfs/usr/bin/node
for lib in $(ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
  mkdir -p "rootfs$(dirname "$lib")"
  cp -L "$lib" "rootfs$lib"
done
# The dependency closure, each package found as Node finds it (its own node_modules, then its parents'), printed
# as paths relative to the repository and copied to the same place under /app.
cd ../..
node -e '
const fs = require("fs"), path = require("path");
const seen = new Set();
const visit = (name, from) => {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(pkg, "package.json"))) {
      if (seen.has(pkg)) return;
      seen.add(pkg);
      const deps = JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8")).dependencies ?? {};
      for (const dep of Object.keys(deps)) visit(dep, pkg);
      return;
    }
    if (dir === path.dirname(dir)) throw new Error(`${name} (needed from ${from}) is not installed: run npm ci`);
  }
};
for (const name of ["@grpc/grpc-js", "@grpc/proto-loader"]) visit(name, ".");
console.log([...seen].join("\n"));
' | while read -r pkg; do
  mkdir -p "targets/grpc/rootfs/app/$pkg"
  cp -RL "$pkg/." "targets/grpc/rootfs/app/$pkg"
done
