#!/usr/bin/env bash
# The one command for a lent GPU machine (issue 19; docs/engines/learning-backends.md, "Measuring on a GPU").
#
#   here, first:    bash bench/gpu-pack.sh
#   device `run`:   command "bash bench/gpu-run.sh", carry [".gpu-bench"], timeout_s 600
#   dry run here:   GPU_BENCH_SCALE=0.004 OUT=/tmp/gpu-out bash bench/gpu-run.sh   (SwiftShader when installed)
#
# Measures, within GPU_RUN_TOTAL_S (480) seconds, each step under its own `timeout`:
#   1. the machine: GPU, driver, Node, Python, torch and torch_geometric versions, the Vulkan loader ($OUT/env.json);
#   2. bench/gpu.bench.ts (bundled in .gpu-bench/app.tar.xz, or through tsx where node_modules is there): the
#      PyTorch reference first (bench/gpu_reference.py on the same data, CUDA, PyTorch Geometric's operations),
#      then the graph transformer in the paper's configuration at ~300k positions on WebGPU (ms per training step,
#      GPU memory), the dual network at both sizes (ms per epoch), and small sizes on WebGPU and WebAssembly; it
#      rewrites $OUT/project.json after each part, so a step stopped by its timeout keeps what it measured;
#   3. if the reference did not run inside it (no Node, say): bench/gpu_reference.py on random data of the same size;
#   4. $OUT/gpu.json: everything, with the ratio workbench ÷ PyTorch Geometric per step and whether it meets the
#      goal (at most 5×). The log is $OUT/gpu-run.log. Exits 0 whenever gpu.json was written.
# GPU_RUN_NODE=0 leaves out the workbench (step 2): the reference alone, on random data.
set -u
cd "$(dirname "$0")/.."
# The digest of the TypeScript the packed bundle is built from (bench/gpu-pack.sh stores it in .gpu-bench).
sources_digest() { cat bench/gpu.bench.ts bench/reference-payloads.ts src-main/learning/*.ts src-main/engines/holdings-*.ts | sha256sum | cut -c1-16; }
if [ "${1:-}" = --sources-digest ]; then
  sources_digest
  exit 0
fi
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
TOTAL_S=${GPU_RUN_TOTAL_S:-480}
SCALE=${GPU_BENCH_SCALE:-1}
PYTHON=${PYTHON:-python3}
LOG="$OUT/gpu-run.log"
START=$(date +%s)
log() { echo "gpu-run [$(($(date +%s) - START)) s]: $*" | tee -a "$LOG" >&2; }
left() { echo $((TOTAL_S - ($(date +%s) - START))); }
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

# Vulkan for Dawn: the system's loader or the carried one; the NVIDIA driver's ICD where the image keeps it.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' && [ -e .gpu-bench/libvulkan.so.1 ]; then
  export LD_LIBRARY_PATH="$PWD/.gpu-bench${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  log "Vulkan loader: the carried .gpu-bench/libvulkan.so.1"
fi
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
    /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -e "$icd" ]; then
      export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
      log "Vulkan driver: $icd"
      break
    fi
  done
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}

# Node and the benchmark: the packed ones (bench/gpu-pack.sh), else node_modules here.
RUN_DIR=$(mktemp -d)
NODE=""
BENCH=()
if [ "${GPU_RUN_NODE:-1}" = 0 ]; then
  log "GPU_RUN_NODE=0: the reference only"
elif [ -s .gpu-bench/node.xz ] && [ -s .gpu-bench/app.tar.xz ]; then
  [ "$(cat .gpu-bench/sources.sha256 2>/dev/null)" = "$(sources_digest)" ] ||
    log "warning: the sources changed since .gpu-bench was packed (run bench/gpu-pack.sh again): measuring the packed bundle"
  if xz -dc .gpu-bench/node.xz >"$RUN_DIR/node" && chmod +x "$RUN_DIR/node" && xz -dc .gpu-bench/app.tar.xz | tar -C "$RUN_DIR" -xf -; then
    NODE="$RUN_DIR/node"
    BENCH=("$RUN_DIR/gpu-bench.mjs")
  else
    log "could not unpack .gpu-bench"
  fi
elif [ -x node_modules/.bin/tsx ]; then
  NODE=$(command -v node || true)
  [ -x node_modules/node/bin/node ] && NODE=node_modules/node/bin/node
  BENCH=(node_modules/tsx/dist/cli.mjs bench/gpu.bench.ts)
fi

# 1. The machine.
timeout 60 "$PYTHON" - "$OUT/env.json" "${NODE:-}" <<'EOF' 2>>"$LOG"
import json, os, platform, subprocess, sys
def run(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip() or None
    except Exception as error:  # noqa: BLE001
        return f"unavailable: {error}"
info = {"python": platform.python_version(), "host": platform.node(), "cpus": os.cpu_count()}
info["gpu"] = run("nvidia-smi", "--query-gpu=name,driver_version,memory.total,clocks.max.sm", "--format=csv,noheader")
info["node"] = run(sys.argv[2], "--version") if sys.argv[2] else "not available (run bench/gpu-pack.sh and carry .gpu-bench)"
info["vulkanLoader"] = run("sh", "-c", "ldconfig -p | grep libvulkan.so.1 | head -1") or os.environ.get("LD_LIBRARY_PATH")
info["vulkanDriver"] = os.environ.get("VK_DRIVER_FILES") or os.environ.get("VK_ICD_FILENAMES")
try:
    import torch
    info["torch"] = torch.__version__
    info["cuda"] = torch.version.cuda if torch.cuda.is_available() else "not available"
except Exception as error:  # noqa: BLE001
    info["torch"] = f"not importable: {error}"
try:
    import torch_geometric
    info["torch_geometric"] = torch_geometric.__version__
except Exception as error:  # noqa: BLE001
    info["torch_geometric"] = f"not importable: {error}"
json.dump(info, open(sys.argv[1], "w"), indent=2)
print(json.dumps(info))
EOF
log "machine: $(cat "$OUT/env.json" 2>/dev/null | tr -d '\n' | tr -s ' ')"

# 2. The workbench (and, inside it, the reference on the same data).
if [ -n "$NODE" ]; then
  limit=$(($(left) - 70))
  log "bench/gpu.bench.ts with $("$NODE" --version), ${limit} s at most"
  GPU_BENCH_OUT="$OUT/project.json" GPU_BENCH_DEADLINE_S=$((limit - 30)) PYTHON="$PYTHON" \
    timeout -k 10 "$limit" "$NODE" "${BENCH[@]}" >"$RUN_DIR/project.stdout" 2>>"$LOG"
  log "bench/gpu.bench.ts exited with $?"
else
  log "no Node: the workbench was not measured (run bench/gpu-pack.sh here and carry .gpu-bench)"
fi

# 3. The reference on its own when it did not run inside the benchmark.
if ! "$PYTHON" -c 'import json, sys; sys.exit(0 if isinstance(json.load(open(sys.argv[1])).get("reference"), dict) else 1)' \
  "$OUT/project.json" 2>/dev/null; then
  limit=$(($(left) - 20))
  read -r investors assets <<<"$(awk -v s="$SCALE" 'BEGIN { i = int(5000 * s + 0.5); a = int(20000 * s + 0.5); print (i < 4 ? 4 : i), (a < 16 ? 16 : a) }')"
  per=$((assets / 4 < 60 ? assets / 4 : 60))
  log "reference on random data, ${investors} × ${assets} × ${per}, ${limit} s at most"
  GPU_REFERENCE_BUDGET_S=60 timeout -k 10 "$limit" "$PYTHON" bench/gpu_reference.py --synthetic "$investors" "$assets" \
    "$per" >"$OUT/reference.json" 2>>"$LOG"
  log "reference exited with $?"
fi

# 4. The report.
"$PYTHON" bench/gpu_reference.py --assemble "$OUT/project.json" "$OUT/env.json" "$OUT/reference.json" \
  >"$OUT/gpu.json" 2>>"$LOG" || {
  log "could not write gpu.json"
  exit 1
}
rm -rf "$RUN_DIR"
log "done: $OUT/gpu.json"
"$PYTHON" - "$OUT/gpu.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
def paper(side):
    figures = ((side or {}).get("graphTransformer") or {}).get("paper") if isinstance(side, dict) else side
    keys = ("positions", "msPerTrainingStep", "gpuBuffersAllocatedMiB", "peakMemoryMiB")
    return {k: figures[k] for k in keys if k in figures} if isinstance(figures, dict) else figures
summary = {k: r.get(k) for k in ("adapter", "ratioProjectToReference", "goalMet", "note")}
summary["webgpu paper"] = paper((r.get("project") or {}).get("webgpu"))
summary["reference paper"] = paper(r.get("reference"))
print(json.dumps(summary, indent=2))
EOF
