#!/usr/bin/env python3
# bench/ivf_bench.py: the ivfflat ANN benchmark, through SQL, against FAISS's
# IndexIVFFlat in-process (Debian's python3-faiss), in the same run (the
# machine is shared and noisy: only ratios measured side by side mean
# anything).
#
# For each dataset (bench_common.py: clustered data from gen_clustered, or
# --data DIR):
#   - builds FAISS's index (train on a random sample of the same size as
#     vecsim's, max(50 x lists, 10,000), then add) and vecsim's ivfflat
#     index alternately, --build-rounds times each on one thread, keeping
#     each side's best; then both on two threads (FAISS's OpenMP; vecsim
#     with max_parallel_maintenance_workers = 1: the backend and one
#     helper thread);
#   - measures recall@10 and queries per second at probes 1 .. 32, each
#     side's best of --query-rounds passes, the sides taking turns:
#     vecsim over a prepared round trip and in the server (bench_common),
#     FAISS one search call per query on one thread;
#   - prints build times, index size, the ratios and a recall-QPS plot.
#
#   ivf_bench.py --dsn DSN (--gen PATH | --data DIR) [--rows N] [--lists L] [--out DIR]
import time

import numpy as np

from bench_common import (SqlSide, best_of_turns, common_arguments, ground_truth, load_dataset, pin_for_queries,
                          plot_curves, qps_at, recall, unpin)

PROBES = [1, 2, 4, 8, 16, 32]
DATASETS = [("l2", 128, "vector_l2_ops", "<->", "l2"),
            ("cosine", 768, "vector_cosine_ops", "<=>", "cosine")]


class FaissSide:
    """FAISS's IndexIVFFlat in this process."""

    def __init__(self, data, metric, lists):
        import faiss
        self.faiss = faiss
        self.metric, self.lists = metric, lists
        self.data = data / np.linalg.norm(data, axis=1, keepdims=True) if metric == "cosine" else data
        self.data = np.ascontiguousarray(self.data, dtype=np.float32)
        samples = min(len(data), max(50 * lists, 10000))
        self.sample = self.data[np.random.default_rng(7).choice(len(data), samples, replace=False)]

    def build(self, threads):
        faiss = self.faiss
        faiss.omp_set_num_threads(threads)
        d = self.data.shape[1]
        ip = self.metric == "cosine"
        quantizer = faiss.IndexFlatIP(d) if ip else faiss.IndexFlatL2(d)
        index = faiss.IndexIVFFlat(quantizer, d, self.lists, faiss.METRIC_INNER_PRODUCT if ip else faiss.METRIC_L2)
        start = time.perf_counter()
        index.train(self.sample)
        index.add(self.data)
        elapsed = time.perf_counter() - start
        self.index, self.quantizer = index, quantizer
        faiss.omp_set_num_threads(1)
        return elapsed

    def set_probes(self, probes):
        self.index.nprobe = probes

    def queries(self, queries, truth):
        if self.metric == "cosine":
            queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        for q in queries[:50]:
            self.index.search(q[None, :], 10)
        found = []
        start = time.perf_counter()
        for q in queries:
            _, labels = self.index.search(q[None, :], 10)
            found.append([int(x) + 1 for x in labels[0]])
        return recall(found, truth), len(queries) / (time.perf_counter() - start)


def main():
    ap = common_arguments()
    ap.add_argument("--lists", type=int, default=0, help="default: rows / 1000")
    ap.add_argument("--datasets", default="l2,cosine", help="of l2, cosine")
    args = ap.parse_args()
    lists = args.lists or max(1, args.rows // 1000)

    import psycopg
    conn = psycopg.connect(args.dsn, autocommit=True)
    conn.execute("SET maintenance_work_mem = '1GB'")
    plots = []
    for name, dims, opclass, op, metric in DATASETS:
        if name not in args.datasets.split(","):
            continue
        data, queries = load_dataset(args, dims)
        dims = data.shape[1]
        print(f"\n== ivfflat {name}: {len(data)} x {dims}, {len(queries)} queries, lists {lists}", flush=True)
        truth = ground_truth(data, queries, metric)
        ours = SqlSide(conn, f"ivf_{name}", data, queries, op,
                       lambda table: f"CREATE INDEX {table}_idx ON {table} USING ivfflat (embedding {opclass}) "
                                     f"WITH (lists = {lists})")
        ref = FaissSide(data, metric, lists)
        ref_builds, our_builds = {1: [], 2: []}, {1: [], 2: []}
        for threads in (1, 2):
            for _ in range(args.build_rounds):
                ref_builds[threads].append(ref.build(threads))
                our_builds[threads].append(ours.build(threads))
        size = ours.size()
        report = ours.verify("vecsim_ivfflat_verify")
        curves = {"round trip": [], "in server": [], "faiss": []}
        pinned = pin_for_queries(ours.backend_pid())
        # probes >= lists reads every list: an exact scan, which the
        # planner (rightly) does not give to the index.
        for probes in [p for p in PROBES if p < lists]:
            ours.set_param("ivfflat.probes", probes)
            ref.set_probes(probes)
            ours.in_server(truth)  # warm-up
            best = best_of_turns(args.query_rounds, {"round trip": lambda: ours.round_trip(truth),
                                                     "in server": lambda: ours.in_server(truth),
                                                     "faiss": lambda: ref.queries(queries, truth)})
            for side, result in best.items():
                curves[side].append((probes,) + result)
        unpin(ours.backend_pid())
        ours.drop()

        for threads in (1, 2):
            o, r = min(our_builds[threads]), min(ref_builds[threads])
            print(f"build (k-means + assignment + load), {threads} thread(s): vecsim {o:6.2f} s   "
                  f"FAISS train + add {r:6.2f} s   ratio {o / r:.2f} (target <= 1; best of {args.build_rounds}, "
                  f"all: vecsim {', '.join(f'{b:.2f}' for b in our_builds[threads])}; "
                  f"FAISS {', '.join(f'{b:.2f}' for b in ref_builds[threads])})")
        clean = report["missing"] == 0 and report["duplicates"] == 0
        print(f"vecsim_ivfflat_verify: {'clean' if clean else 'NOT CLEAN'}: " +
              ", ".join(f"{k} {v}" for k, v in report.items()))
        raw = len(data) * 4 * dims
        print(f"index size: {size / 2**20:.1f} MiB = {size / raw:.3f} x rows x value size (target <= 1.05)")
        print(f"queries per second, best of {args.query_rounds} passes each; recall@10; {pinned}")
        print(f"{'probes':>6} | {'round trip':>19} | {'in server':>19} | {'FAISS':>15} | "
              f"{'ratio: in server':>16}")
        for (p, r, q), (_, sr, sq), (_, rr, rq) in zip(*curves.values()):
            print(f"{p:>6} | {r:>8.4f} {q:>10.0f} | {sr:>8.4f} {sq:>10.0f} | {rr:>6.4f} {rq:>8.0f} | {sq / rq:>16.2f}")
        theirs = qps_at(curves["faiss"], 0.95)
        for label in ("round trip", "in server"):
            ours_at = qps_at(curves[label], 0.95)
            if ours_at and theirs:
                print(f"QPS at recall@10 = 0.95, {label}: {ours_at:.0f}; FAISS {theirs:.0f}; "
                      f"ratio {ours_at / theirs:.2f}" + (" (target >= 0.5)" if label == "in server" else ""))
            else:
                print(f"QPS at recall@10 = 0.95, {label}: not bracketed by the measured probes")
        plots.append((name, dims, curves))

    labels = {"round trip": "vecsim ivfflat (SQL, one round trip per query)",
              "in server": "vecsim ivfflat (SQL, queries run in the server)",
              "faiss": "FAISS IndexIVFFlat (in-process)"}
    plot_curves(plots, labels, lambda name, dims: f"ivfflat {name}: {args.rows} x {dims}, lists {lists}",
                f"{args.out}/ivf_bench.png")


if __name__ == "__main__":
    main()
