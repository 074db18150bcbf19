"""Roofline of `npm run bench -- scale`: OpenBLAS's double-precision matrix product P (2,000 x n) @ A (n x n), the
operation the numpy peer repeats, in GFLOP/s (2 * 2000 * n^2 flops, best of three). Threads as OPENBLAS_NUM_THREADS
says. Prints one JSON line."""
import json, sys, time
import numpy as np

n = int(sys.argv[1])
rng = np.random.default_rng(3)
p = rng.uniform(size=(2000, n))
a = rng.uniform(size=(n, n))
p @ a
best = float("inf")
for _ in range(3):
    started = time.perf_counter()
    p @ a
    best = min(best, time.perf_counter() - started)
print(json.dumps({"n": n, "gflops": 2 * 2000 * n * n / best / 1e9}))
