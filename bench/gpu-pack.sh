#!/usr/bin/env bash
# Packs what bench/gpu-run.sh needs on a lent GPU machine that has no Node and no node_modules (1.2 GB here, while
# the device tool carries 64 MiB): into .gpu-bench/ (ignored by git, ESLint and Prettier),
#   node.xz       the project's Node (node_modules/node/bin/node, the node@22 devDependency), xz-compressed (~30 MB);
#                 made once and kept while that Node is unchanged (about 2 minutes on 2 cores);
#   app.tar.xz    bench/gpu.bench.ts bundled by esbuild with TensorFlow.js inside (gpu-bench.mjs), the WebAssembly
#                 backend's .wasm files, and the `webgpu` package's Linux x64 Dawn (node_modules/webgpu, ~6 MB packed);
#   libvulkan.so.1  the Vulkan loader (Chromium's copy here), for a machine without libvulkan1.
# Run here before the device call: `bash bench/gpu-pack.sh`, then give `run` the command `bash bench/gpu-run.sh`
# with carry [".gpu-bench"].
set -euo pipefail
cd "$(dirname "$0")/.."
pack=.gpu-bench
mkdir -p "$pack"

node_bin=node_modules/node/bin/node
[ -x "$node_bin" ] || { echo "gpu-pack: $node_bin missing (npm install)" >&2; exit 1; }
if [ ! -s "$pack/node.xz" ] || [ "$node_bin" -nt "$pack/node.xz" ]; then
  echo "gpu-pack: compressing $($node_bin --version) (a few minutes)…" >&2
  xz -T2 -6 -c "$node_bin" >"$pack/node.xz.tmp" && mv "$pack/node.xz.tmp" "$pack/node.xz"
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# The bundle is ESM; some of TensorFlow.js's code (and Emscripten's loader of the .wasm files) expects require,
# __filename and __dirname, which the banner defines. `webgpu` stays outside: a native addon, loaded at run time.
npx esbuild bench/gpu.bench.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --outfile="$stage/gpu-bench.mjs" --external:webgpu --external:@tensorflow/tfjs-node \
  --external:@tensorflow/tfjs-node-gpu \
  "--banner:js=import { createRequire as __cwbRequire } from 'node:module'; import { fileURLToPath as __cwbPath } from 'node:url'; import { dirname as __cwbDir } from 'node:path'; const require = __cwbRequire(import.meta.url); const __filename = __cwbPath(import.meta.url); const __dirname = __cwbDir(__filename);"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$stage/"
mkdir -p "$stage/node_modules/webgpu/dist/linux-x64"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$stage/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$stage/node_modules/webgpu/dist/linux-x64/"
tar -C "$stage" -cf - . | xz -T2 -6 >"$pack/app.tar.xz"

loader=$(ldconfig -p 2>/dev/null | awk '/libvulkan\.so\.1 .*x86-64/ { print $NF; exit }')
[ -n "$loader" ] || loader=/usr/lib/chromium/libvulkan.so.1
if [ -e "$loader" ]; then cp -L "$loader" "$pack/libvulkan.so.1"; else echo "gpu-pack: no Vulkan loader found here to carry" >&2; fi

# What was bundled, so that bench/gpu-run.sh can warn when the sources changed since.
bash bench/gpu-run.sh --sources-digest >"$pack/sources.sha256"

du -ch "$pack"/* >&2
total=$(du -cb "$pack"/* | tail -1 | cut -f1)
echo "gpu-pack: $((total / 1048576)) MiB in $pack; the device tool carries 64 MiB with the working tree" >&2
