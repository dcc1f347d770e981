#!/usr/bin/python3
"""PyTorch side of `npm run bench`: seconds per training epoch of the same networks.
Usage: torchEpoch.py [--data CIFAR_BIN_DIR] [--repeats 3] [--threads N] ARCH...
ARCH is like 3072-50-50-10:bn or 3072-10 (":bn" = batch norm before ReLU on hidden layers).
Prints one JSON object per line: {"arch", "median", "times"}.
With --serve (one ARCH): loads the data and builds the network once, prints {"ready": ...}, then
runs one epoch per "epoch" line read from stdin and prints {"seconds": ...} after each, so the
caller can interleave its own epochs with these ones (bench/epochBench.ts)."""
import argparse, json, os, sys, time
import numpy as np
import torch

p = argparse.ArgumentParser()
p.add_argument("--data"); p.add_argument("--repeats", type=int, default=3); p.add_argument("--threads", type=int)
p.add_argument("--serve", action="store_true")
p.add_argument("archs", nargs="+")
a = p.parse_args()
if a.threads: torch.set_num_threads(a.threads)  # default: torch's own choice (1 on this 2-vCPU machine; 2 threads ran 4x slower here)
n, B = 45000, 100
if a.data:
    raw = np.concatenate([np.fromfile(os.path.join(a.data, f"data_batch_{i}.bin"), np.uint8).reshape(-1, 3073) for i in range(1, 6)])[:n]
    X = raw[:, 1:].astype(np.float32) / 255.0; y = raw[:, 0].astype(np.int64)
else:
    rng = np.random.default_rng(0)
    X = rng.random((n, 3072), dtype=np.float32); y = rng.integers(0, 10, n)
X = (X - X.mean(0)) / (X.std(0) + 1e-8)
Xt = torch.from_numpy(X.astype(np.float32)); yt = torch.from_numpy(y)

def build(arch):
    spec, _, bn = arch.partition(":")
    sizes = [int(s) for s in spec.split("-")]
    torch.manual_seed(0)
    layers = []
    for i in range(len(sizes) - 2):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1], bias=(bn != "bn")))
        if bn == "bn": layers.append(torch.nn.BatchNorm1d(sizes[i + 1], eps=1e-8, momentum=0.1))
        layers.append(torch.nn.ReLU())
    layers.append(torch.nn.Linear(sizes[-2], sizes[-1]))
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, weight_decay=2 * 0.005)
    lossf = torch.nn.CrossEntropyLoss()

    def epoch():
        perm = torch.randperm(n)
        t = time.perf_counter()
        for s in range(0, n, B):
            idx = perm[s:s + B]
            opt.zero_grad(); loss = lossf(net(Xt[idx]), yt[idx]); loss.backward(); opt.step()
        return time.perf_counter() - t
    return epoch

if a.serve:
    epoch = build(a.archs[0])
    print(json.dumps({"ready": a.archs[0], "threads": torch.get_num_threads(), "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        if line.strip() != "epoch": break
        print(json.dumps({"seconds": epoch()}), flush=True)
    sys.exit(0)

for arch in a.archs:
    epoch = build(arch)
    times = [epoch() for _ in range(a.repeats)]
    print(json.dumps({"arch": arch, "median": sorted(times)[len(times) // 2], "times": times, "threads": torch.get_num_threads()}), flush=True)
