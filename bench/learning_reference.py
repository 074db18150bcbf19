"""PyTorch reference of the two trained models, for `npm run bench -- learning` (bench/learning.bench.ts).

Reads the benchmark's JSON payload (same data, sizes and settings as the TensorFlow.js run), trains on one CPU
thread and prints JSON: milliseconds per epoch of the dual network at each size and seconds per epoch of the
graph transformer (processor time). The architectures follow src-main/learning/dual-network.ts (Liquidation Net with mixed
convex/concave leaky units, fixed aggregation by holdings, Price Net; Adam, non-negative weights after each
step, losses read every 5 epochs) and src-main/learning/graph-transformer.ts (eqs. 14-20 and 23 of the paper:
per-node feature maps with category embeddings, multi-head dot-product attention with a segment softmax per
destination, weighted neighbour sums, GELU updates, two pair heads; one Adam step per epoch and the validation
pass on a held-out date). The models themselves are in bench/reference_models.py, shared with
bench/gpu_reference.py.

Usage: python3 bench/learning_reference.py PAYLOAD.json
"""
import json
import sys
import time
import warnings

import torch

from reference_models import GraphTransformer, dual_network_trainer, tensors_of

torch.set_num_threads(1)
warnings.filterwarnings("ignore", message="scatter_reduce")


def dual_network_ms_per_epoch(case):
    train = dual_network_trainer(case)
    started = time.process_time()
    train(case["epochs"])
    return 1000 * (time.process_time() - started) / case["epochs"]


def graph_transformer_seconds_per_epoch(case):
    generator = torch.Generator().manual_seed(1)
    torch.manual_seed(1)
    train, validation = tensors_of(case["train"]), tensors_of(case["validation"])
    model = GraphTransformer(case["config"], case["investorVocab"], case["assetVocab"], generator)
    optimizer = torch.optim.Adam(model.params.values(), lr=1e-2)
    decayed = model.decayed()

    def epoch():
        optimizer.zero_grad()
        loss = model.losses(train, True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for p in decayed:
                p.mul_(1 - 1e-2 * 1e-5)
            model.losses(validation, False).item()
        return loss.item()

    epoch()  # warm-up, as the TensorFlow.js run
    started = time.process_time()
    for _ in range(case["epochs"]):
        epoch()
    return (time.process_time() - started) / case["epochs"]


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        payload = json.load(handle)
    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "dualNetworkMsPerEpoch": {name: dual_network_ms_per_epoch(case) for name, case in payload["dualNetwork"].items()},
    }
    if "graphTransformer" in payload:  # left out with LEARNING_BENCH_SKIP_GT
        result["graphTransformerSecondsPerEpoch"] = graph_transformer_seconds_per_epoch(payload["graphTransformer"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
