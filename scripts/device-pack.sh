#!/usr/bin/env bash
# Packs what a bare GPU box with no Node.js and no network needs to run `affectbench bench` (used for
# results/devices/): the node binary, the native onnxruntime-node build, an esbuild bundle of the CLI, the
# bundled human models and sample image, and Debian's Vulkan/GL loader packages. Output: .device/ (git-ignored).
#
# On the GPU box, from the repository root:
#   for f in .device/*.deb; do dpkg -x $f /; done; ldconfig
#   tar -xJf .device/nm.tar.xz; xz -dc .device/node.xz > /tmp/node; chmod +x /tmp/node
#   export AFFECTBENCH_GIT_COMMIT=<commit> VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
#   /tmp/node .device/run.mjs bench --backends node-cpu,node-cuda,node-webgpu --batch 1,8 --iterations 100 --warmup 10 --out OUT
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .device && mkdir -p .device
npx esbuild packages/cli/src/main.ts --bundle --platform=node --format=esm --target=node20 --outfile=.device/cli.mjs \
  --external:onnxruntime-node --external:onnxruntime-web --external:esbuild --external:@resvg/resvg-js --external:h5wasm \
  --external:@tensorflow/tfjs --banner:js="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" --log-level=warning
cat > .device/run.mjs <<'JS'
// Entry for the GPU box: runs the bundled CLI with the arguments after this file.
const { main } = await import('./cli.mjs');
process.exitCode = await main(process.argv.slice(2));
JS
xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > .device/node.xz
human=node_modules/@vladmandic/human
tar -cJf .device/nm.tar.xz node_modules/onnxruntime-node/package.json node_modules/onnxruntime-node/dist node_modules/onnxruntime-node/lib \
  node_modules/onnxruntime-node/bin/napi-v6/linux/x64 node_modules/onnxruntime-common node_modules/esbuild node_modules/@esbuild/linux-x64 \
  node_modules/@resvg node_modules/h5wasm $human/package.json $human/dist/human.node.js $human/dist/human.esm.js \
  $human/models/emotion.json $human/models/emotion.bin $human/models/blazeface.json $human/models/blazeface.bin $human/assets/samples.jpg
(cd .device && apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
du -sh .device
