#!/usr/bin/env python3
# bench/vacuum_bench.py: single-row INSERT latency into an hnsw-indexed
# table while VACUUM repairs the index, against the same inserts with no
# vacuum running, in the same run (the machine is shared and noisy: only
# the ratio measured side by side means anything).
#
# On the l2 dataset (bench_common.py: 100,000 x 128 clustered by default,
# or --data DIR), with the hnsw index the ANN benchmark builds (m 16,
# ef_construction 64), for --rounds rounds:
#   - without vacuum: one client inserts rows one per transaction for as
#     long as the previous round's vacuum took (2 s the first time);
#   - with vacuum: a tenth of the rows is deleted, VACUUM starts on a second
#     connection, and the client inserts until it ends;
# then prints per-insert latency (p50, p99, max) on each side, the p99
# ratio, the inserts done during each vacuum, and vecsim_hnsw_verify's
# report.
#
#   vacuum_bench.py --dsn DSN (--gen PATH | --data DIR) [--rows N] [--rounds R]
import threading
import time

import numpy as np

from bench_common import SqlSide, common_arguments, load_dataset


def percentile(latencies, p):
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def insert_while(conn, table, rows, keep_going):
    """Inserts rows (cycling) one per transaction while keep_going() is
    true; returns each insert's latency in milliseconds."""
    cur = conn.cursor()
    latencies = []
    i = 0
    while keep_going():
        text = "[" + ",".join(f"{x:.9g}" for x in rows[i % len(rows)]) + "]"
        start = time.perf_counter()
        cur.execute(f"INSERT INTO {table} (id, embedding) VALUES (%s, %s::vector)", (-1 - i, text), prepare=True)
        latencies.append((time.perf_counter() - start) * 1000)
        i += 1
    return latencies


def main():
    ap = common_arguments()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    import psycopg
    conn = psycopg.connect(args.dsn, autocommit=True)
    conn.execute("SET maintenance_work_mem = '4GB'")
    data, queries = load_dataset(args, 128)
    index_sql = lambda table: (f"CREATE INDEX {table}_idx ON {table} USING hnsw (embedding vector_l2_ops) "
                               f"WITH (m = 16, ef_construction = 64)")
    side = SqlSide(conn, "vacuum", data, queries, "<->", index_sql)
    side.cur.execute(f"ALTER TABLE {side.table} SET (autovacuum_enabled = off)")
    side.build(2)
    print(f"\n== insert latency beside VACUUM: {args.rows} x 128, hnsw m 16, ef_construction 64, "
          f"{args.rounds} rounds", flush=True)
    inserter = psycopg.connect(args.dsn, autocommit=True)
    vacuumer = psycopg.connect(args.dsn, autocommit=True)
    without, during, report = [], [], []
    duration = 2.0
    for r in range(args.rounds):
        deadline = time.perf_counter() + duration
        without += insert_while(inserter, side.table, queries, lambda: time.perf_counter() < deadline)
        side.cur.execute(f"DELETE FROM {side.table} WHERE id % 10 = {r}")
        done = threading.Event()

        def vacuum():
            vacuumer.execute(f"VACUUM (INDEX_CLEANUP ON) {side.table}")
            done.set()

        thread = threading.Thread(target=vacuum)
        start = time.perf_counter()
        thread.start()
        latencies = insert_while(inserter, side.table, queries, lambda: not done.is_set())
        thread.join()
        duration = time.perf_counter() - start
        during += latencies
        report.append((duration, len(latencies)))
    verify = side.verify("vecsim_hnsw_verify")
    side.drop()

    p99_without, p99_during = percentile(without, 0.99), percentile(during, 0.99)
    print(f"{'':>16} | {'inserts':>8} | {'p50 ms':>8} | {'p99 ms':>8} | {'max ms':>8}")
    for name, lat in (("without vacuum", without), ("during vacuum", during)):
        print(f"{name:>16} | {len(lat):8d} | {percentile(lat, 0.5):8.2f} | {percentile(lat, 0.99):8.2f} | "
              f"{max(lat):8.2f}")
    print(f"insert p99 during / without vacuum: {p99_during / p99_without:.2f}")
    print("vacuums: " + "; ".join(f"{d:.1f} s, {n} inserts meanwhile" for d, n in report))
    print("vecsim_hnsw_verify: " + ", ".join(f"{k} {v}" for k, v in verify.items()))


if __name__ == "__main__":
    main()
