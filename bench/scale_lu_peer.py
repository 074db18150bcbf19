"""LAPACK peer of `npm run bench -- scale-lu`: the same n-firm matrix I - C (read from DIR/matrix.f64, n x n
row-major little-endian float64), factorised (scipy.linalg.lu_factor: getrf) and all n columns of its inverse
solved with the factors (lu_solve on the identity: getrs), best of two, with OpenBLAS's threads as
OPENBLAS_NUM_THREADS says. Prints one JSON line."""
import json, sys, time
import numpy as np
from scipy.linalg import lu_factor, lu_solve

directory, n = sys.argv[1], int(sys.argv[2])
matrix = np.fromfile(f"{directory}/matrix.f64", dtype="<f8").reshape(n, n)
identity = np.eye(n)
best_factor = best_columns = float("inf")
for _ in range(2):
    started = time.perf_counter()
    factors = lu_factor(matrix)
    factored = time.perf_counter()
    lu_solve(factors, identity)
    best_factor = min(best_factor, factored - started)
    best_columns = min(best_columns, time.perf_counter() - factored)
print(json.dumps({"factorMs": 1000 * best_factor, "allColumnsMs": 1000 * best_columns}))
