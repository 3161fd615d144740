#!/bin/sh
# GPU check: runs models with onnxruntime's CUDA execution provider and with CPU on the same
# inputs, directly and through `onnxless serve`, and fails if any output differs beyond
# tolerance. Run it in a repository checkout (dev dependencies installed) on an NVIDIA host:
#
#   ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js  # once (downloads the CUDA provider)
#   sh images/gpu-check.sh [--rtol 1e-3] [--atol 1e-4] [--out gpu-check.json]
#
# Needs CUDA 12 and cuDNN 9 libraries on the library path (the nvidia/cuda:12.x-cudnn-runtime
# images have them). Exit status: 0 all within tolerance, 1 a mismatch, 2 CUDA unavailable.
set -eu
cd "$(dirname "$0")/.."
if ! test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so; then
  echo "gpu-check: onnxruntime-node has no CUDA provider here; install it first:" >&2
  echo "  (cd node_modules/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js)" >&2
  exit 2
fi
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
exec npx tsx images/gpu/compareProviders.ts "$@"
