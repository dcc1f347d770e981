#!/usr/bin/python3
"""The reports' coarse-to-fine lambda search as a PyTorch user would run it, for `npm run bench:search`.
Same procedure as examples/searches/lambda-coarse-to-fine.json: 3072-50-50-10 with batch norm,
45,000 training / 5,000 validation images, batch 100, cyclical learning rate 1e-5..0.1 with
n_s = 2250; stage 1: 10 random log10(lambda) in [-3, -1], 2 cycles; stage 2: 10 in [best - d,
best + d] (d = the distance of the two best); the winner retrained for 3 cycles; validation
accuracy measured twice an epoch (on 2,000 images) and on all of it at epoch ends, as Trainyard
records. Usage: torchSearch.py CIFAR_BIN_DIR [--processes N]  (N > 1: one process per core, each
with one thread). Prints one JSON line per finished trial and a final JSON summary."""
import argparse, json, math, os, time
import numpy as np
import torch
import torch.multiprocessing as mp

p = argparse.ArgumentParser()
p.add_argument("data"); p.add_argument("--processes", type=int, default=1); p.add_argument("--seed", type=int, default=1)
a = p.parse_args()

N_TRAIN, N_VAL, B, NS, ETA_MIN, ETA_MAX = 45000, 5000, 100, 2250, 1e-5, 0.1


def load(d):
    raw = np.concatenate([np.fromfile(os.path.join(d, f"data_batch_{i}.bin"), np.uint8).reshape(-1, 3073) for i in range(1, 6)])
    test = np.fromfile(os.path.join(d, "test_batch.bin"), np.uint8).reshape(-1, 3073)
    X = raw[:, 1:].astype(np.float32) / 255.0; y = raw[:, 0].astype(np.int64)
    Xtr, ytr, Xva, yva = X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:N_TRAIN + N_VAL], y[N_TRAIN:N_TRAIN + N_VAL]
    mean, std = Xtr.mean(0), Xtr.std(0) + 1e-8
    f = lambda x: torch.from_numpy(((x - mean) / std).astype(np.float32))
    return f(Xtr), torch.from_numpy(ytr), f(Xva), torch.from_numpy(yva), f(test[:, 1:].astype(np.float32) / 255.0), torch.from_numpy(test[:, 0].astype(np.int64))


DATA = None


def accuracy(net, X, y):
    net.eval()
    with torch.no_grad():
        acc = (net(X).argmax(1) == y).float().mean().item()
    net.train()
    return acc


def train(args):
    lam, cycles, evals, seed = args
    global DATA
    if DATA is None:
        torch.set_num_threads(1) if a.processes > 1 else None
        DATA = load(a.data)
    Xtr, ytr, Xva, yva, Xte, yte = DATA
    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Linear(3072, 50, bias=False), torch.nn.BatchNorm1d(50, eps=1e-8, momentum=0.1), torch.nn.ReLU(),
        torch.nn.Linear(50, 50, bias=False), torch.nn.BatchNorm1d(50, eps=1e-8, momentum=0.1), torch.nn.ReLU(),
        torch.nn.Linear(50, 10))
    for m in net:
        if isinstance(m, torch.nn.Linear): torch.nn.init.kaiming_normal_(m.weight)
    opt = torch.optim.SGD(net.parameters(), lr=ETA_MIN, weight_decay=2 * lam)
    lossf = torch.nn.CrossEntropyLoss()
    steps, per_epoch = 2 * NS * cycles, N_TRAIN // B
    sub = torch.randperm(N_VAL)[:2000]
    t0, step = time.perf_counter(), 0
    while step < steps:
        perm = torch.randperm(N_TRAIN)
        for s in range(per_epoch):
            if step >= steps: break
            c = step % (2 * NS)
            lr = ETA_MIN + (ETA_MAX - ETA_MIN) * (c / NS if c < NS else 2 - c / NS)
            for g in opt.param_groups: g["lr"] = lr
            idx = perm[s * B:(s + 1) * B]
            opt.zero_grad(); lossf(net(Xtr[idx]), ytr[idx]).backward(); opt.step()
            step += 1
            if evals and step % max(1, per_epoch // evals) == 0 and step % per_epoch != 0: accuracy(net, Xva[sub], yva[sub])
        val = accuracy(net, Xva, yva)
    return {"lambda": lam, "cycles": cycles, "validation": val, "test": accuracy(net, Xte, yte), "seconds": time.perf_counter() - t0}


def stage(pool, lams, cycles, evals, seed):
    jobs = [(l, cycles, evals, seed + i) for i, l in enumerate(lams)]
    out = pool.map(train, jobs) if pool else [train(j) for j in jobs]
    for r in out: print(json.dumps(r), flush=True)
    return out


if __name__ == "__main__":
    rng = np.random.default_rng(a.seed)
    start = time.perf_counter()
    pool = mp.get_context("fork").Pool(a.processes) if a.processes > 1 else None
    timeline = []
    first = stage(pool, list(10 ** rng.uniform(-3, -1, 10)), 2, 2, a.seed)
    timeline.append(time.perf_counter() - start)
    ranked = sorted(first, key=lambda r: -r["validation"])
    b, s2 = math.log10(ranked[0]["lambda"]), math.log10(ranked[1]["lambda"])
    d = abs(b - s2) or 0.2
    second = stage(pool, list(10 ** rng.uniform(b - d, b + d, 10)), 2, 2, a.seed + 100)
    timeline.append(time.perf_counter() - start)
    winner = max(first + second, key=lambda r: r["validation"])
    # The lone retrain, as a user would run it: in the main process, every thread torch wants.
    if pool: pool.close()
    torch.set_num_threads(os.cpu_count() or 1)
    final = train((winner["lambda"], 3, 10, a.seed + 1000))
    timeline.append(time.perf_counter() - start)
    print(json.dumps({"summary": True, "processes": a.processes, "wall": time.perf_counter() - start, "stages": timeline, "lambda": winner["lambda"], "test": final["test"], "validation": final["validation"]}), flush=True)
