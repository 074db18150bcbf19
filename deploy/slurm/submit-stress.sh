#!/bin/bash
# Submits a stress test as N Slurm array tasks and its merge as a job that starts when all of them succeeded.
#   deploy/slurm/submit-stress.sh N NETWORK.json OUTDIR [cwb stress flags…]
# e.g. deploy/slurm/submit-stress.sh 64 eba.json run-1 --shock-model uniform --samples 100000000 --seed 7
# The merged summary lands in OUTDIR/summary.json (and OUTDIR/summary.txt); prints the two job ids.
set -euo pipefail
shards=${1:?number of shards}
network=${2:?network@1 JSON file}
outdir=${3:?folder for the partial results}
shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
array=$(sbatch --parsable --array="1-$shards" "$here/stress-shard.sbatch" "$network" "$outdir" "$@")
merge=$(sbatch --parsable --dependency="afterok:$array" --job-name=cwb-merge --output="$outdir/merge-%j.log" \
  --wrap "${CWB:-cwb} stress-merge $outdir/part-*.json --json > $outdir/summary.json && ${CWB:-cwb} stress-merge $outdir/part-*.json > $outdir/summary.txt")
echo "shards: job $array (array 1-$shards); merge: job $merge"
