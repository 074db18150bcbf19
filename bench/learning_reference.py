"""PyTorch reference of the two trained models, for `npm run bench -- learning` (bench/learning.bench.ts).

Reads the benchmark's JSON payload (same data, sizes and settings as the TensorFlow.js run), trains on one CPU
thread and prints JSON: milliseconds per epoch of the dual network at each size and seconds per epoch of the
graph transformer (processor time). The architectures follow src-main/learning/dual-network.ts (Liquidation Net with mixed
convex/concave leaky units, fixed aggregation by holdings, Price Net; Adam, non-negative weights after each
step, losses read every 5 epochs) and src-main/learning/graph-transformer.ts (eqs. 14-20 and 23 of the paper:
per-node feature maps with category embeddings, multi-head dot-product attention with a segment softmax per
destination, weighted neighbour sums, GELU updates, two pair heads; one Adam step per epoch and the validation
pass on a held-out date).

Usage: python3 bench/learning_reference.py PAYLOAD.json
"""
import json
import math
import sys
import time
import warnings

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
warnings.filterwarnings("ignore", message="scatter_reduce")
LEAK = 0.01
EVALUATE_EVERY = 5


def dual_layer(generator, inputs, outputs, kind):
    kernel = (2 * torch.rand(inputs, outputs, generator=generator) / inputs).requires_grad_()
    if kind == "mixed":
        bias = -torch.rand(outputs, generator=generator)
    else:
        bias = torch.full((outputs,), 0.5 if kind == "fraction" else 0.0)
    return {"W": kernel, "b": bias.requires_grad_(), "kind": kind}


def apply_dual(layer, x):
    z = x @ layer["W"] + layer["b"]
    if layer["kind"] == "linear":
        return z
    if layer["kind"] == "fraction":
        clipped = z.clamp(0, 1)
        return clipped + LEAK * (z - clipped)
    half = math.ceil(z.shape[1] / 2)
    return torch.cat([torch.maximum(z[:, :half], LEAK * z[:, :half]), torch.minimum(z[:, half:], LEAK * z[:, half:])], 1)


def dual_network_ms_per_epoch(case):
    generator = torch.Generator().manual_seed(1)
    banks, assets, hidden, price_hidden = case["nBanks"], case["nAssets"], case["hidden"], case["priceHidden"]
    x_train = torch.tensor(case["xTrain"]).view(-1, banks)
    y_train = torch.tensor(case["yTrain"]).view(-1, assets)
    x_val = torch.tensor(case["xValidation"]).view(-1, banks)
    y_val = torch.tensor(case["yValidation"]).view(-1, assets)
    aggregation = torch.tensor(case["holdings"]).view(banks, assets)
    liquidation = [dual_layer(generator, banks, hidden, "mixed"), dual_layer(generator, hidden, hidden, "mixed"), dual_layer(generator, hidden, banks, "fraction")]
    price = [dual_layer(generator, assets, price_hidden, "mixed"), dual_layer(generator, price_hidden, assets, "linear")]
    layers = liquidation + price
    parameters = [p for layer in layers for p in (layer["W"], layer["b"])]
    optimizer = torch.optim.Adam(parameters, lr=case["learningRate"])

    def loss_of(x, y):
        h = x
        for layer in liquidation:
            h = apply_dual(layer, h)
        q = h @ aggregation
        for layer in price:
            q = apply_dual(layer, q)
        return F.mse_loss(-q, y) * assets

    best = float("inf")
    batch = case["batchSize"]
    started = time.process_time()
    for epoch in range(1, case["epochs"] + 1):
        for start in range(0, x_train.shape[0], batch):
            optimizer.zero_grad()
            loss_of(x_train[start:start + batch], y_train[start:start + batch]).backward()
            optimizer.step()
            with torch.no_grad():
                for layer in layers:
                    layer["W"].clamp_(min=0)
        if epoch % EVALUATE_EVERY == 0:
            with torch.no_grad():
                validation = loss_of(x_val, y_val).item()
                loss_of(x_train, y_train).item()
            if validation < best:
                best = validation
                [p.detach().clone() for p in parameters]
    return 1000 * (time.process_time() - started) / case["epochs"]


def gelu(x):
    return F.gelu(x, approximate="tanh")


class GraphTransformer:
    def __init__(self, config, investor_vocab, asset_vocab, generator):
        self.config = config
        h, e, c = config["hidden"], config["embedding"], config["categoryDim"]
        width = config["heads"] * config["keyDim"]
        self.params = {}

        def weight(name, rows, cols):
            bound = math.sqrt(6 / (rows + cols))
            self.params[name] = ((torch.rand(rows, cols, generator=generator) * 2 - 1) * bound).requires_grad_()

        def dense(name, rows, cols):
            weight(name + ".W", rows, cols)
            self.params[name + ".b"] = torch.zeros(cols, requires_grad=True)

        for kind, vocab in (("investor", investor_vocab), ("asset", asset_vocab)):
            for k, size in enumerate(vocab):
                self.params[f"embed.{kind}.{k}"] = (torch.randn(size, c, generator=generator) / math.sqrt(c)).requires_grad_()
            dense(f"phi.{kind}", 4 + len(vocab) * c, h)
        for layer in range(config["layers"]):
            dense(f"layer{layer}.message", h, h)
            weight(f"layer{layer}.query", h, width)
            weight(f"layer{layer}.key", h, width)
            dense(f"layer{layer}.update", 2 * h, h)
        dense("readout", h, e)
        for head in ("ae", "tp"):
            dense(f"{head}.hidden", 3 * e, e)
            dense(f"{head}.out", e, 1)

    def dense(self, name, x):
        return x @ self.params[name + ".W"] + self.params[name + ".b"]

    def features(self, kind, numeric, category):
        parts = [numeric] + [self.params[f"embed.{kind}.{k}"][category[:, k]] for k in range(category.shape[1])]
        return self.dense(f"phi.{kind}", torch.cat(parts, 1))

    def embed(self, graph, source, target, weight, training):
        heads, key_dim = self.config["heads"], self.config["keyDim"]
        nodes = graph["investors"] + graph["assets"]
        h = torch.cat([self.features("investor", graph["investorNumeric"], graph["investorCategory"]), self.features("asset", graph["assetNumeric"], graph["assetCategory"])])
        for layer in range(self.config["layers"]):
            message = gelu(self.dense(f"layer{layer}.message", h))
            query = h @ self.params[f"layer{layer}.query"]
            key = h @ self.params[f"layer{layer}.key"]
            scores = (query[target] * key[source]).view(-1, heads, key_dim).sum(2) / math.sqrt(key_dim)
            shift = torch.zeros(nodes, heads).scatter_reduce(0, target[:, None].expand(-1, heads), scores.detach(), "amax", include_self=False)
            exp = torch.exp(scores - shift[target])
            denominator = torch.zeros(nodes, heads).index_add(0, target, exp)
            attention = (exp / (denominator[target] + 1e-16)).mean(1)
            aggregate = torch.zeros(nodes, h.shape[1]).index_add(0, target, (attention * weight)[:, None] * message[source])
            h = gelu(self.dense(f"layer{layer}.update", torch.cat([h, aggregate], 1)))
            if training:
                h = F.dropout(h, 0.1, True)
        return self.dense("readout", h)

    def head(self, name, embeddings, investors, investor, asset):
        ei = embeddings[investor]
        ea = embeddings[asset + investors]
        return self.dense(f"{name}.out", gelu(self.dense(f"{name}.hidden", torch.cat([ei, ea, ei * ea], 1)))).view(-1)


def tensors_of(graph):
    out = dict(graph)
    for key in ("investorNumeric", "assetNumeric"):
        out[key] = torch.tensor(graph[key]).view(-1, 4)
    for key in ("investorCategory", "assetCategory"):
        out[key] = torch.tensor(graph[key]).view(-1, 2)
    for key in ("source", "target", "visibleSource", "visibleTarget", "pairInvestor", "pairAsset", "tradeInvestor", "tradeAsset"):
        out[key] = torch.tensor(graph[key], dtype=torch.long)
    for key in ("weight", "visibleWeight", "pairTarget", "tradeTarget"):
        out[key] = torch.tensor(graph[key])
    return out


def graph_transformer_seconds_per_epoch(case):
    generator = torch.Generator().manual_seed(1)
    torch.manual_seed(1)
    train, validation = tensors_of(case["train"]), tensors_of(case["validation"])
    model = GraphTransformer(case["config"], case["investorVocab"], case["assetVocab"], generator)
    optimizer = torch.optim.Adam(model.params.values(), lr=1e-2)
    decayed = [p for name, p in model.params.items() if name.endswith((".W", ".query", ".key"))]

    def losses(graph, training):
        masked = model.embed(graph, graph["visibleSource"], graph["visibleTarget"], graph["visibleWeight"], training)
        ae = F.mse_loss(model.head("ae", masked, graph["investors"], graph["pairInvestor"], graph["pairAsset"]), graph["pairTarget"])
        full = masked if training else model.embed(graph, graph["source"], graph["target"], graph["weight"], False)
        tp = F.mse_loss(model.head("tp", full, graph["investors"], graph["tradeInvestor"], graph["tradeAsset"]), graph["tradeTarget"])
        return ae + tp

    def epoch():
        optimizer.zero_grad()
        loss = losses(train, True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for p in decayed:
                p.mul_(1 - 1e-2 * 1e-5)
            losses(validation, False).item()
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
        "graphTransformerSecondsPerEpoch": graph_transformer_seconds_per_epoch(payload["graphTransformer"]),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
