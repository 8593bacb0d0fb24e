#!/usr/bin/env python3
# bench/filter_bench.py: filtered nearest-neighbour queries,
#   SELECT id FROM t WHERE cat = $1 ORDER BY embedding <-> $2 LIMIT 10,
# at four selectivities, three ways in the same run (docs/hnsw_filtering.md):
#   (a) hnsw with the filter columns in the index (vecsim);
#   (b) hnsw on the vector alone, hnsw.iterative_scan = relaxed_order (what
#       pgvector offers; its rows are filtered after the index);
#   (c) a btree on the category and an exact sort (what the planner does
#       without a vector index).
# On the l2 dataset (bench_common.py: 100,000 x 128 clustered, or --data),
# with columns cat1000, cat100, cat10 and cat2 (uniform random categories:
# 0.1%, 1%, 10% and 50% of the rows pass cat = v) and a tenant of 10
# values. For each selectivity and way: recall@10 against the exact
# filtered answer, the rows returned per query, and queries per second
# over a round trip (prepared statements, one client); then the ratio of
# (a) to the better of (b) and (c). Last, (p): with both (a)'s index and
# (c)'s btrees and default settings, what the planner chooses, and how
# fast that is. The machine is shared and noisy: only
# ratios measured in one run mean anything.
#
#   filter_bench.py --dsn DSN (--gen PATH | --data DIR) [--rows N] [--queries Q]
import time

import numpy as np

from bench_common import common_arguments, copy_image, load_dataset

SELECTIVITIES = [("cat1000", 1000, "0.1%"), ("cat100", 100, "1%"), ("cat10", 10, "10%"), ("cat2", 2, "50%")]
WAYS = [("a", "filter columns in hnsw"), ("b", "hnsw + relaxed iterative"), ("c", "btree + exact sort"),
        ("p", "the planner's choice with (a)'s and (c)'s indexes, default settings")]


def exact_filtered(data, queries, passes, k=10):
    """The ids (1-based) of the k nearest rows passing, per query; passes[q]
    is the boolean mask of rows passing query q's condition."""
    out = []
    norms = (data ** 2).sum(1)
    for q, mask in zip(queries, passes):
        ids = np.nonzero(mask)[0]
        d = norms[ids] - 2 * data[ids] @ q
        out.append(ids[np.argsort(d)[:k]] + 1)
    return out


def measure(cur, sql, texts, values, truth, seconds):
    """recall@10, mean rows returned and queries per second of the prepared
    statement sql(value, vector) over the queries, stopping after
    `seconds` (at least 20 queries)."""
    for t, v in list(zip(texts, values))[:10]:
        cur.execute(sql, (int(v), t), prepare=True)
        cur.fetchall()
    found = []
    start = time.perf_counter()
    for t, v in zip(texts, values):
        cur.execute(sql, (int(v), t), prepare=True)
        found.append([r[0] for r in cur.fetchall()])
        if len(found) >= 20 and time.perf_counter() - start > seconds:
            break
    elapsed = time.perf_counter() - start
    n = len(found)
    recall = float(np.mean([len(set(f) & set(t)) / max(1, len(t)) for f, t in zip(found, truth[:n])]))
    rows = float(np.mean([len(f) for f in found]))
    return recall, rows, n / elapsed


def plan_of(cur, sql, value, text):
    cur.execute("EXPLAIN (COSTS OFF) " + sql.replace("%s", "{}").format(int(value), f"'{text}'"))
    return " / ".join(r[0].strip().lstrip("-> ") for r in cur.fetchall() if "Scan" in r[0])


def main():
    ap = common_arguments()
    ap.add_argument("--seconds", type=float, default=5.0, help="per selectivity and way, at most")
    ap.set_defaults(queries=300)
    args = ap.parse_args()

    import psycopg
    conn = psycopg.connect(args.dsn, autocommit=True)
    cur = conn.cursor()
    cur.execute("SET maintenance_work_mem = '4GB'")
    data, queries = load_dataset(args, 128)
    rows = data.shape[0]
    rng = np.random.default_rng(7)
    cats = {name: rng.integers(0, n, rows) for name, n, _ in SELECTIVITIES}
    tenant = rng.integers(0, 10, rows)
    values = {name: rng.integers(0, n, len(queries)) for name, n, _ in SELECTIVITIES}
    texts = ["[" + ",".join(f"{x:.9g}" for x in q) + "]" for q in queries]

    cur.execute("DROP TABLE IF EXISTS bench_filter")
    cur.execute("CREATE TABLE bench_filter (id bigint, embedding vector(128))")
    with cur.copy("COPY bench_filter FROM STDIN WITH (FORMAT BINARY)") as copy:
        copy.write(copy_image(data))
    cur.execute("ALTER TABLE bench_filter ADD COLUMN tenant int, " +
                ", ".join(f"ADD COLUMN {name} int" for name, _, _ in SELECTIVITIES))
    cur.execute("CREATE TEMP TABLE attrs (id bigint, tenant int, " +
                ", ".join(f"{name} int" for name, _, _ in SELECTIVITIES) + ")")
    with cur.copy("COPY attrs FROM STDIN") as copy:
        for i in range(rows):
            copy.write_row([i + 1, int(tenant[i])] + [int(cats[name][i]) for name, _, _ in SELECTIVITIES])
    cur.execute("UPDATE bench_filter b SET tenant = a.tenant, " +
                ", ".join(f"{name} = a.{name}" for name, _, _ in SELECTIVITIES) + " FROM attrs a WHERE a.id = b.id")
    cur.execute("VACUUM ANALYZE bench_filter")
    truth = {name: exact_filtered(data, queries, [cats[name] == v for v in values[name]])
             for name, _, _ in SELECTIVITIES}

    print(f"\n== filtered search: {rows} x 128, LIMIT 10, {len(queries)} queries "
          f"(at most {args.seconds:.0f} s a point), hnsw m 16, ef_construction 64, ef_search 40", flush=True)
    results = {}
    cat_columns = ", ".join(name for name, _, _ in SELECTIVITIES)
    phases = [
        ("c", [f"CREATE INDEX bench_filter_{name} ON bench_filter ({name})" for name, _, _ in SELECTIVITIES],
         ["SET enable_indexscan = on"], ["DROP INDEX " + ", ".join(f"bench_filter_{n}" for n, _, _ in SELECTIVITIES)]),
        ("b", ["CREATE INDEX bench_filter_v ON bench_filter USING hnsw (embedding vector_l2_ops)"],
         ["SET hnsw.iterative_scan = relaxed_order", "SET enable_seqscan = off", "SET enable_sort = off"],
         ["DROP INDEX bench_filter_v", "RESET hnsw.iterative_scan"]),
        ("a", [f"CREATE INDEX bench_filter_vf ON bench_filter USING hnsw (embedding vector_l2_ops, tenant, {cat_columns})"],
         ["SET enable_seqscan = off", "SET enable_sort = off"], []),
        ("p", [f"CREATE INDEX bench_filter_{name} ON bench_filter ({name})" for name, _, _ in SELECTIVITIES],
         [], []),
    ]
    for way, create, settings, cleanup in phases:
        start = time.perf_counter()
        for sql in create:
            cur.execute(sql)
        build = time.perf_counter() - start
        cur.execute("RESET ALL")
        cur.execute("SET maintenance_work_mem = '4GB'")
        for sql in settings:
            cur.execute(sql)
        print(f"({way}) built in {build:.1f} s", flush=True)
        for name, _, label in SELECTIVITIES:
            sql = f"SELECT id FROM bench_filter WHERE {name} = %s ORDER BY embedding <-> %s::vector LIMIT 10"
            plan = plan_of(cur, sql, values[name][0], texts[0])
            results[(way, name)] = measure(cur, sql, texts, values[name], truth[name], args.seconds)
            r, n, qps = results[(way, name)]
            print(f"  {label:>5}  recall {r:.3f}  rows {n:5.2f}  {qps:9.1f} q/s   plan: {plan}", flush=True)
        for sql in cleanup:
            cur.execute(sql)
        cur.execute("RESET ALL")
    cur.execute("DROP TABLE bench_filter")

    print(f"\n{'selectivity':>11} | " + " | ".join(f"({w}) recall  rows      q/s" for w, _ in WAYS) +
          " | (a) / best of (b), (c) | (p) / best of (b), (c)")
    for name, _, label in SELECTIVITIES:
        cells = []
        for w, _ in WAYS:
            r, n, qps = results[(w, name)]
            cells.append(f"{r:10.3f} {n:5.2f} {qps:8.1f}")
        best = max(results[("b", name)][2], results[("c", name)][2])
        print(f"{label:>11} | " + " | ".join(cells) + f" | {results[('a', name)][2] / best:22.2f}x"
              f" | {results[('p', name)][2] / best:22.2f}x")
    print("\n" + "; ".join(f"({w}) {d}" for w, d in WAYS))


if __name__ == "__main__":
    main()
