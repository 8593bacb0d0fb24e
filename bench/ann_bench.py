#!/usr/bin/env python3
# bench/ann_bench.py: the hnsw ANN benchmark, through SQL, against hnswlib
# in-process, in the same run (the machine is shared and noisy, so only
# ratios measured side by side mean anything).
#
# For each dataset (clustered synthetic data from gen_clustered: a Gaussian
# mixture in a lower-dimensional subspace plus noise; held-out queries from
# the same mixture; exact ground truth by brute force in numpy):
#   - loads the rows into PostgreSQL with binary COPY;
#   - builds hnswlib's index (single-threaded) and the hnsw index (m,
#     ef_construction, 1 maintenance worker) alternately, three times each, and
#     keeps each side's best; then the hnsw index with 2 workers
#     (max_parallel_maintenance_workers = 1: the backend and one helper);
#   - measures recall@10 and queries per second over ef_search 10 .. 320,
#     each side's best of --query-rounds passes over the queries (each
#     after 50 warm-up queries), the sides taking turns pass by pass, so
#     that a slow spell of the shared machine falls on all of them:
#       vecsim, round trip: one prepared statement per query over one
#         connection (what one application connection sees);
#       vecsim, in server: every query in one call of a PL/pgSQL function,
#         each one an SQL statement the executor runs from a cached plan
#         (index scan, heap fetch, LIMIT) without the client round trip;
#       hnswlib: one knn_query call per query, in this process;
#     and, for scale, the round trips per second of a statement with the
#     same parameter and no index work (the most the round-trip measure
#     could show on this machine); the client (and hnswlib) pinned to one
#     CPU and the backend to another while queries run;
#   - prints build time, index size and the ratios the issue sets targets
#     for, and draws recall against QPS to a PNG.
#
#   ann_bench.py --dsn DSN (--gen PATH | --data DIR) [--rows N] [--queries Q] [--out DIR]
import time

import numpy as np

from bench_common import (SqlSide, best_of_turns, common_arguments, ground_truth, load_dataset, pin_for_queries,
                          plot_curves, qps_at, recall, unpin)

# Doubling from 10 to 320: the points at which docs/hnsw.md sets these
# figures beside pgvector 0.8's on the same data.
EF_SEARCH = [10, 20, 40, 80, 160, 320]
# "wide" (not run by default): values wider than a page, which vecsim
# spills into chunk items and pgvector cannot index.
DATASETS = [("l2", 128, "vector_l2_ops", "<->", "l2"),
            ("cosine", 768, "vector_cosine_ops", "<=>", "cosine"),
            ("wide", 3072, "vector_cosine_ops", "<=>", "cosine")]


class HnswlibSide:
    """hnswlib in this process, single-threaded, one knn_query per query."""

    def __init__(self, data, metric, m, efc):
        self.data, self.metric, self.m, self.efc = data, metric, m, efc

    def build(self):
        import hnswlib
        index = hnswlib.Index(space="l2" if self.metric == "l2" else "cosine", dim=self.data.shape[1])
        index.init_index(max_elements=len(self.data), M=self.m, ef_construction=self.efc, random_seed=7)
        index.set_num_threads(1)
        start = time.perf_counter()
        index.add_items(self.data, np.arange(1, len(self.data) + 1))
        self.index = index
        return time.perf_counter() - start

    def set_ef(self, ef):
        self.index.set_ef(ef)

    def queries(self, queries, truth):
        for q in queries[:50]:  # as warm as the other side
            self.index.knn_query(q, k=10)
        found = []
        start = time.perf_counter()
        for q in queries:
            labels, _ = self.index.knn_query(q, k=10)
            found.append(list(labels[0]))
        return recall(found, truth), len(queries) / (time.perf_counter() - start)


def main():
    ap = common_arguments()
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=64)
    ap.add_argument("--datasets", default="l2,cosine", help="of l2, cosine, wide")
    args = ap.parse_args()

    import psycopg
    conn = psycopg.connect(args.dsn, autocommit=True)
    conn.execute("SET maintenance_work_mem = '4GB'")
    plots = []
    for name, dims, opclass, op, metric in DATASETS:
        if name not in args.datasets.split(","):
            continue
        print(f"\n== {name}: {args.rows} x {dims}, {args.queries} queries, "
              f"m {args.m}, ef_construction {args.ef_construction}", flush=True)
        data, queries = load_dataset(args, dims)
        truth = ground_truth(data, queries, metric)
        index_sql = lambda table: (f"CREATE INDEX {table}_idx ON {table} USING hnsw (embedding {opclass}) "
                                   f"WITH (m = {args.m}, ef_construction = {args.ef_construction})")
        ours = SqlSide(conn, name, data, queries, op, index_sql)
        ref = HnswlibSide(data, metric, args.m, args.ef_construction)
        # Builds alternate (theirs, ours, theirs, ours) and each side keeps
        # its faster one, so a slow spell of the shared machine does not
        # land on one side only.
        ref_builds, our_builds = [], []
        for _ in range(args.build_rounds):
            ref_builds.append(ref.build())
            our_builds.append(ours.build(1))
        builds = {1: min(our_builds), 2: ours.build(2)}
        ref_build = min(ref_builds)
        size = ours.size()
        report = ours.verify("vecsim_hnsw_verify")
        curves = {"round trip": [], "in server": [], "hnswlib": []}
        rounds = args.query_rounds
        pinned = pin_for_queries(ours.backend_pid())
        for ef in EF_SEARCH:
            ours.set_param("hnsw.ef_search", ef)
            ref.set_ef(ef)
            ours.in_server(truth)  # warm-up
            best = best_of_turns(rounds, {"round trip": lambda: ours.round_trip(truth),
                                          "in server": lambda: ours.in_server(truth),
                                          "hnswlib": lambda: ref.queries(queries, truth)})
            for side, result in best.items():
                curves[side].append((ef,) + result)
        ceiling = max(ours.protocol_ceiling() for _ in range(rounds))
        unpin(ours.backend_pid())
        ours.drop()
        allowance = args.rows * (4 * dims + 8 * args.m)
        print(f"build, 1 worker:  vecsim {builds[1]:7.1f} s   hnswlib {ref_build:7.1f} s   "
              f"ratio {builds[1] / ref_build:.2f} (target <= 0.8; best of {args.build_rounds} each, "
              f"all: vecsim {', '.join(f'{b:.1f}' for b in our_builds)}; "
              f"hnswlib {', '.join(f'{b:.1f}' for b in ref_builds)})")
        print(f"build, 2 workers: vecsim {builds[2]:7.1f} s   hnswlib {ref_build:7.1f} s   "
              f"ratio {builds[2] / ref_build:.2f} (hnswlib single-threaded; vecsim with "
              f"max_parallel_maintenance_workers = 1: itself and one helper thread)")
        clean = report["violations"] == 0 and report["unreachable"] == 0 and report["count_matches"]
        print(f"vecsim_hnsw_verify: {'clean' if clean else 'NOT CLEAN'}: " +
              ", ".join(f"{k} {v}" for k, v in report.items()))
        print(f"index size: {size / 2**20:.1f} MiB = {size / allowance:.3f} x rows x (4 dims + 8 m) "
              f"(target <= 1.15)")
        print(f"queries per second, best of {rounds} passes each; recall@10; {pinned}")
        print(f"{'ef_search':>9} | {'round trip':>19} | {'in server':>19} | {'hnswlib':>15} | "
              f"{'ratio: round trip':>17} {'in server':>9}")
        for (ef, r, q), (_, sr, sq), (_, rr, rq) in zip(*curves.values()):
            print(f"{ef:>9} | {r:>8.4f} {q:>10.0f} | {sr:>8.4f} {sq:>10.0f} | {rr:>6.4f} {rq:>8.0f} | "
                  f"{q / rq:>17.2f} {sq / rq:>9.2f}")
        theirs = qps_at(curves["hnswlib"], 0.95)
        for label in ("round trip", "in server"):
            ours_at = qps_at(curves[label], 0.95)
            if ours_at and theirs:
                print(f"QPS at recall@10 = 0.95, {label}: {ours_at:.0f} against {theirs:.0f}, "
                      f"ratio {ours_at / theirs:.2f} (target >= 0.4)")
            else:
                print(f"QPS at recall@10 = 0.95, {label}: not bracketed by the measured ef_search values")
        print(f"round trips per second with the same parameter and no index work: {ceiling:.0f}"
              + (f", {ceiling / theirs:.2f} x hnswlib's QPS at 0.95" if theirs else ""))
        r40 = dict((ef, r) for ef, r, _ in curves["in server"])[40]
        rt40 = dict((ef, r) for ef, r, _ in curves["round trip"])[40]
        rr40 = dict((ef, r) for ef, r, _ in curves["hnswlib"])[40]
        print(f"recall@10 at ef_search 40: vecsim {r40:.4f} (round trip {rt40:.4f}), hnswlib {rr40:.4f}, "
              f"difference {r40 - rr40:+.4f} (target >= -0.01)", flush=True)
        plots.append((name, dims, curves))

    labels = {"round trip": "vecsim (SQL, one round trip per query)",
              "in server": "vecsim (SQL, queries run in the server)",
              "hnswlib": "hnswlib (in-process)"}
    plot_curves(plots, labels, lambda name, dims: f"{name}: {args.rows} x {dims}", f"{args.out}/ann_bench.png")


if __name__ == "__main__":
    main()
