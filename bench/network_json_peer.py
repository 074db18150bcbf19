"""Python peer of `npm run bench -- network-load`: reads a network@1 JSON file with the standard library's
json.load, then builds numpy arrays of debtor index, creditor index (into the node table) and amount — what a
supervisor's script does with such a file (no checks beyond an unknown id raising KeyError).
Prints one JSON line: seconds, liabilities, the sum of the amounts, peak RSS in MiB."""
import json, resource, sys, time
import numpy as np

started = time.perf_counter()
with open(sys.argv[1], "rb") as file:
    document = json.load(file)
index = {node["id"]: k for k, node in enumerate(document["nodes"])}
liabilities = document["liabilities"]
debtor = np.fromiter((index[entry["debtor"]] for entry in liabilities), dtype=np.int32, count=len(liabilities))
creditor = np.fromiter((index[entry["creditor"]] for entry in liabilities), dtype=np.int32, count=len(liabilities))
amount = np.fromiter((entry["amount"] for entry in liabilities), dtype=np.float64, count=len(liabilities))
seconds = time.perf_counter() - started
print(
    json.dumps(
        {
            "seconds": seconds,
            "liabilities": int(amount.size),
            "sum": float(amount.sum()),
            "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )
)
