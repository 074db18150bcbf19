"""PyTorch versions of the workbench's two trained models, shared by the reference benchmarks.

bench/learning_reference.py (one CPU thread, `npm run bench -- learning`) and bench/gpu_reference.py (CUDA, with
PyTorch Geometric's operations where importable, `npm run bench -- gpu`, bench/gpu-run.sh) both build their models
from here, so the two references time the same architectures:

- the dual network of src-main/learning/dual-network.ts: Liquidation Net with mixed convex/concave leaky units,
  fixed aggregation by holdings, Price Net; Adam, non-negative weights after each step, losses read every
  `EVALUATE_EVERY` epochs and the best weights copied when validation improves;
- the graph transformer of src-main/learning/graph-transformer.ts (eqs. 14-20 and 23 of the paper): per-node
  feature maps with category embeddings, multi-head dot-product attention with a segment softmax per destination,
  weighted neighbour sums, GELU updates, dropout, two pair heads.

The graph transformer's sparse operations (edge scores, segment softmax, weighted neighbour sum) come from an
`ops` object: `TORCH_OPS` (plain torch: gathers, `scatter_reduce` for the shift, `index_add`) or, from
bench/gpu_reference.py, PyTorch Geometric's `MessagePassing`, `utils.softmax` and `utils.scatter`.
Parameters are drawn on the CPU from a seeded generator and then moved to `device`, so every device starts from
the same weights.
"""
import math

import torch
import torch.nn.functional as F

LEAK = 0.01
EVALUATE_EVERY = 5


def dual_layer(generator, inputs, outputs, kind, device="cpu"):
    kernel = 2 * torch.rand(inputs, outputs, generator=generator) / inputs
    if kind == "mixed":
        bias = -torch.rand(outputs, generator=generator)
    else:
        bias = torch.full((outputs,), 0.5 if kind == "fraction" else 0.0)
    return {"W": kernel.to(device).requires_grad_(), "b": bias.to(device).requires_grad_(), "kind": kind}


def apply_dual(layer, x):
    z = x @ layer["W"] + layer["b"]
    if layer["kind"] == "linear":
        return z
    if layer["kind"] == "fraction":
        clipped = z.clamp(0, 1)
        return clipped + LEAK * (z - clipped)
    half = math.ceil(z.shape[1] / 2)
    return torch.cat([torch.maximum(z[:, :half], LEAK * z[:, :half]), torch.minimum(z[:, half:], LEAK * z[:, half:])], 1)


def dual_network_trainer(case, device="cpu"):
    """The dual network of one benchmark case (bench/learning.bench.ts's dualPayload), ready to train: returns
    `train(epochs)`, which runs that many epochs of mini-batch Adam as trainDualNetwork does."""
    generator = torch.Generator().manual_seed(1)
    banks, assets, hidden, price_hidden = case["nBanks"], case["nAssets"], case["hidden"], case["priceHidden"]

    def matrix(key, width):
        return torch.tensor(case[key]).view(-1, width).to(device)

    x_train, y_train = matrix("xTrain", banks), matrix("yTrain", assets)
    x_val, y_val = matrix("xValidation", banks), matrix("yValidation", assets)
    aggregation = matrix("holdings", assets)
    liquidation = [
        dual_layer(generator, banks, hidden, "mixed", device),
        dual_layer(generator, hidden, hidden, "mixed", device),
        dual_layer(generator, hidden, banks, "fraction", device),
    ]
    price = [dual_layer(generator, assets, price_hidden, "mixed", device), dual_layer(generator, price_hidden, assets, "linear", device)]
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

    best = [float("inf")]
    batch = case["batchSize"]

    def train(epochs):
        for epoch in range(1, epochs + 1):
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
                if validation < best[0]:
                    best[0] = validation
                    [p.detach().clone() for p in parameters]

    return train


def gelu(x):
    return F.gelu(x, approximate="tanh")


class TorchOps:
    """The graph transformer's sparse operations in plain torch (what src-main/learning/sparse-ops.ts computes)."""

    name = "torch (gather, scatter_reduce amax, index_add)"

    @staticmethod
    def edge_scores(query, key, target, source, heads, key_dim):
        return (query[target] * key[source]).view(-1, heads, key_dim).sum(2)

    @staticmethod
    def softmax(scores, target, nodes):
        heads = scores.shape[1]
        shift = scores.new_zeros(nodes, heads).scatter_reduce(0, target[:, None].expand(-1, heads), scores.detach(), "amax", include_self=False)
        exp = torch.exp(scores - shift[target])
        denominator = scores.new_zeros(nodes, heads).index_add(0, target, exp)
        return exp / (denominator[target] + 1e-16)

    @staticmethod
    def neighbour_sum(coefficient, message, target, source, nodes):
        return message.new_zeros(nodes, message.shape[1]).index_add(0, target, coefficient[:, None] * message[source])


TORCH_OPS = TorchOps()


class GraphTransformer:
    def __init__(self, config, investor_vocab, asset_vocab, generator, device="cpu", ops=TORCH_OPS):
        self.config = config
        self.ops = ops
        h, e, c = config["hidden"], config["embedding"], config["categoryDim"]
        width = config["heads"] * config["keyDim"]
        self.params = {}

        def weight(name, rows, cols):
            bound = math.sqrt(6 / (rows + cols))
            self.params[name] = ((torch.rand(rows, cols, generator=generator) * 2 - 1) * bound).to(device).requires_grad_()

        def dense(name, rows, cols):
            weight(name + ".W", rows, cols)
            self.params[name + ".b"] = torch.zeros(cols, device=device, requires_grad=True)

        for kind, vocab in (("investor", investor_vocab), ("asset", asset_vocab)):
            for k, size in enumerate(vocab):
                self.params[f"embed.{kind}.{k}"] = (torch.randn(size, c, generator=generator) / math.sqrt(c)).to(device).requires_grad_()
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

    def parameter_count(self):
        return sum(p.numel() for p in self.params.values())

    def decayed(self):
        return [p for name, p in self.params.items() if name.endswith((".W", ".query", ".key"))]

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
            scores = self.ops.edge_scores(query, key, target, source, heads, key_dim) / math.sqrt(key_dim)
            attention = self.ops.softmax(scores, target, nodes).mean(1)
            aggregate = self.ops.neighbour_sum(attention * weight, message, target, source, nodes)
            h = gelu(self.dense(f"layer{layer}.update", torch.cat([h, aggregate], 1)))
            if training:
                h = F.dropout(h, 0.1, True)
        return self.dense("readout", h)

    def head(self, name, embeddings, investors, investor, asset):
        ei = embeddings[investor]
        ea = embeddings[asset + investors]
        return self.dense(f"{name}.out", gelu(self.dense(f"{name}.hidden", torch.cat([ei, ea, ei * ea], 1)))).view(-1)

    def losses(self, graph, training):
        """The joint loss of one date (bench/learning.bench.ts's gtDatePayload): masked autoencoder on the visible
        edges' embedding; trades on the same embedding while training, on the full graph's when not."""
        masked = self.embed(graph, graph["visibleSource"], graph["visibleTarget"], graph["visibleWeight"], training)
        ae = F.mse_loss(self.head("ae", masked, graph["investors"], graph["pairInvestor"], graph["pairAsset"]), graph["pairTarget"])
        full = masked if training else self.embed(graph, graph["source"], graph["target"], graph["weight"], False)
        tp = F.mse_loss(self.head("tp", full, graph["investors"], graph["tradeInvestor"], graph["tradeAsset"]), graph["tradeTarget"])
        return ae + tp


def tensors_of(graph, device="cpu"):
    out = dict(graph)
    for key in ("investorNumeric", "assetNumeric"):
        out[key] = torch.tensor(graph[key]).view(-1, 4).to(device)
    for key in ("investorCategory", "assetCategory"):
        out[key] = torch.tensor(graph[key]).view(-1, 2).to(device)
    for key in ("source", "target", "visibleSource", "visibleTarget", "pairInvestor", "pairAsset", "tradeInvestor", "tradeAsset"):
        out[key] = torch.tensor(graph[key], dtype=torch.long).to(device)
    for key in ("weight", "visibleWeight", "pairTarget", "tradeTarget"):
        out[key] = torch.tensor(graph[key]).to(device)
    return out
