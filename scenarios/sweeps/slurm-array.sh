#!/usr/bin/env bash
# A sweep as a Slurm job array (docs/sweeps.md): task I of N runs shard I/N
# into its own file; a job that depends on the array merges the shards.
#
# Submit from the repository root, after ./scripts/build:
#   mkdir -p out
#   jobid=$(sbatch --parsable scenarios/sweeps/slurm-array.sh)
#   sbatch --dependency=afterok:$jobid --job-name=gs-merge --time=00:30:00 \
#     --wrap "build/sim/groundswell merge out/grid-shard-*.h5 -o out/grid.h5 --force"
#
# SHARDS must equal the number of tasks in --array (0..SHARDS-1). A task that
# hits its time limit or is preempted stops at a point boundary (SIGTERM) with
# its finished points kept in out/grid-shard-I.h5.parts/; resubmitting the
# task (or --requeue) continues with --resume and loses nothing. merge refuses
# shards of different sweeps and lists any points still missing.
#
# Without Slurm the same script runs one shard: SLURM_ARRAY_TASK_ID=0 bash scenarios/sweeps/slurm-array.sh
#
#SBATCH --job-name=gs-sweep
#SBATCH --array=0-9
#SBATCH --cpus-per-task=8
#SBATCH --mem=4G
#SBATCH --time=02:00:00
#SBATCH --requeue
#SBATCH --output=out/slurm-%A_%a.log
set -euo pipefail

SWEEP=${SWEEP:-scenarios/sweeps/grid.toml}
SHARDS=${SHARDS:-10}
TASK=${SLURM_ARRAY_TASK_ID:?run as a Slurm array task, or set SLURM_ARRAY_TASK_ID}
OUT=${OUT:-out/$(basename "$SWEEP" .toml)-shard-$TASK.h5}

mkdir -p "$(dirname "$OUT")"
exec build/sim/groundswell sweep "$SWEEP" --shard "$TASK/$SHARDS" -o "$OUT" --resume \
  --threads "${SLURM_CPUS_PER_TASK:-$(nproc)}"
