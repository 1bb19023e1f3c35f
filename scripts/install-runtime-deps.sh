#!/bin/sh
# The runtime node_modules of the image, installed from package.json and package-lock.json in the
# current folder. The Dockerfile runs it, and test/packaging/runtime-install.test.ts runs the same file
# offline in a scratch folder, so what is tested is what the image does. Extra arguments go to `npm ci`
# (the test passes --offline).
set -eu

# onnxruntime-node's install script only downloads the CUDA/TensorRT execution providers from NuGet
# (useless on CPU, and it fails offline); this is its documented switch (script/install.js), which npm
# 11 does not warn about, unlike the old `onnxruntime-node-install` .npmrc key.
export ONNXRUNTIME_NODE_INSTALL=skip

# No install scripts at all, then only the two packages that need theirs: better-sqlite3 (its native
# addon: a prebuilt binary, or compiled with python3/make/g++ when none matches) and sharp (checks its
# prebuilt libvips). onnxruntime-node ships its CPU binaries in the package and needs no script.
npm ci --omit=dev --ignore-scripts --no-audit --no-fund "$@"
npm rebuild better-sqlite3 sharp

# onnxruntime-node ships binaries for every platform (~240 MB of darwin, win32 and the other Linux
# architecture); keep this machine's.
platform="$(node -p 'process.platform + "/" + process.arch')"
for dir in node_modules/onnxruntime-node/bin/napi-v*/*/*; do
  case "$dir" in
    */"$platform") ;;
    *) rm -rf "$dir" ;;
  esac
done
for dir in node_modules/onnxruntime-node/bin/napi-v*/*; do
  rmdir "$dir" 2>/dev/null || true # only the platforms left empty
done

# Build leftovers of better-sqlite3 (object files, the SQLite amalgamation, the addon's sources) are not
# loaded at run time: keep build/Release/better_sqlite3.node only.
sqlite=node_modules/better-sqlite3
mv "$sqlite/build/Release/better_sqlite3.node" "$sqlite/better_sqlite3.node.keep"
rm -rf "$sqlite/build" "$sqlite/deps" "$sqlite/src"
mkdir -p "$sqlite/build/Release"
mv "$sqlite/better_sqlite3.node.keep" "$sqlite/build/Release/better_sqlite3.node"

# TypeScript arrives only as @qdrant/js-client-rest's peer dependency (for its types); nothing imports
# it at run time.
rm -rf node_modules/typescript

du -sm node_modules | cut -f1 | sed 's/^/runtime node_modules: /; s/$/ MB/'
