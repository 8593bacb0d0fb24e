# test/t/012_hnsw_filter_columns.pl
# hnsw filter columns (docs/hnsw_filtering.md) under concurrency, crashes
# and replication, on a primary with wal_consistency_checking for generic
# WAL and a streaming standby: pgbench inserts rows with filter values
# from four clients through rounds of deletes and vacuums; then the
# primary is killed in the middle of such inserts. After each, the index
# breaks no invariant, and scans with keys and default settings return
# exactly the table's rows of each filter value (a filtered scan goes on
# until its passing rows run out), through the exact pass, the walk, and
# the exact pass in parts. The standby replays every page exactly and
# answers filtered queries as the primary.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use VecsimStandby;
use VecsimHnsw;

my ($primary, $standby) = primary_with_standby("filter_");

my $row = q{(SELECT array_agg(random() - 0.5) FROM generate_series(1, 8) WHERE g > 0)::vector(8),
            (random() * 19)::int, 'tag' || (random() * 2)::int, ARRAY[(random() * 9)::int, (random() * 9)::int]};
$primary->safe_psql('postgres', qq{
  CREATE EXTENSION vecsim;
  CREATE TABLE items (id bigserial PRIMARY KEY, v vector(8), c int, t text, a int[]) WITH (autovacuum_enabled = off);
  INSERT INTO items (v, c, t, a) SELECT $row FROM generate_series(1, 6000) g;
  CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops, c, t, a) WITH (m = 8, ef_construction = 32);
});

my $script = "${PostgreSQL::Test::Utils::tmp_check}/insert_filtered.sql";
open(my $fh, '>', $script) or die "cannot write $script: $!";
print $fh "INSERT INTO items (v, c, t, a) SELECT $row FROM generate_series(1, 1) g;\n";
close($fh);

# For every filter value of c, the rows a keyed scan returns under default
# settings are exactly the table's: with c alone (5% of the rows: the scan
# ends in an exact pass), with c and t (2.5%), with an element of the
# array a (about 19%: signature keys, rechecked), and with c < 15 (75%: the
# walk fills its results, and a LIMIT of every passing row goes on
# through further walks); the last also at a work_mem that sends it into
# an exact pass in parts. Then, unless after a crash (which may leave an
# unreachable element until the next vacuum), the index verifies clean
# and every live element is reachable.
sub keyed_scans_match {
  my ($node, $what, $after_crash) = @_;
  my $mismatches = $node->safe_psql('postgres', q{
    SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off;
    SELECT count(*) FROM generate_series(0, 19) k
     WHERE (SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM items WHERE c = k
              ORDER BY v <-> array_fill(0.1, ARRAY[8])::vector LIMIT 100000) s)
           IS DISTINCT FROM (SELECT array_agg(id ORDER BY id) FROM items WHERE c = k)
        OR (SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM items WHERE c = k AND t = 'tag1'
              ORDER BY v <-> array_fill(-0.1, ARRAY[8])::vector LIMIT 100000) s)
           IS DISTINCT FROM (SELECT array_agg(id ORDER BY id) FROM items WHERE c = k AND t = 'tag1')
        OR (SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM items WHERE a && ARRAY[k % 10]
              ORDER BY v <-> array_fill(0.2, ARRAY[8])::vector LIMIT 100000) s)
           IS DISTINCT FROM (SELECT array_agg(id ORDER BY id) FROM items WHERE a && ARRAY[k % 10]);
  });
  is($mismatches, '0', "$what: keyed scans return exactly the rows of each filter value");
  for my $work_mem ('4MB', '64kB') {
    is($node->safe_psql('postgres', qq{
      SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off; SET work_mem = '$work_mem';
      SELECT (SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM items WHERE c < 15
                ORDER BY v <-> array_fill(0.3, ARRAY[8])::vector LIMIT 100000) s)
             IS NOT DISTINCT FROM (SELECT array_agg(id ORDER BY id) FROM items WHERE c < 15)}), 't',
       "$what: a keyed scan of 75% of the rows returns each of them once (work_mem $work_mem)");
  }
  my $check = $after_crash ? 'violations' : 'violations, unreachable';
  is($node->safe_psql('postgres', "SELECT $check FROM vecsim_hnsw_verify('items_v')"),
     $after_crash ? '0' : '0|0', "$what: no broken invariant" . ($after_crash ? '' : ', every live element reachable'));
}

# 1. pgbench inserts through rounds of deletes and vacuums
my ($bench_out, $bench_err) = ('', '');
my $bench = start_pgbench($primary, 4, 10, $script, \$bench_out, \$bench_err);
for my $round (0 .. 2) {
  $primary->safe_psql('postgres', "DELETE FROM items WHERE id % 4 = $round; UPDATE items SET c = 19 - c WHERE id % 7 = $round; VACUUM items;");
}
$bench->finish;
like($bench_out, qr/number of failed transactions: 0/, 'every pgbench insert committed');
keyed_scans_match($primary, 'after deletes, updates and vacuums beside concurrent inserts');

# 2. the primary killed in the middle of concurrent inserts
my $before = $primary->safe_psql('postgres', 'SELECT count(*) FROM items');
$bench = start_pgbench($primary, 4, 30, $script, \$bench_out, \$bench_err);
$primary->poll_query_until('postgres', "SELECT count(*) > $before + 200 FROM items")
  or die 'the inserts never started';
$primary->stop('immediate');
$bench->finish;
$primary->start;
keyed_scans_match($primary, 'after a crash during concurrent inserts', 1);
# INDEX_CLEANUP ON: the crash left only the few rows of the inserts in
# flight dead, and with so few PostgreSQL skips the index's bulk delete
# ("index scan bypassed"), which is what removes an element such an
# insert wrote before linking it (docs/hnsw.md 4.5, step 1).
$primary->safe_psql('postgres', 'VACUUM (INDEX_CLEANUP ON) items');
keyed_scans_match($primary, 'after the crash and a vacuum');

# 3. the standby replays every page (wal_consistency_checking) and answers
# as the primary
$primary->wait_for_catchup($standby);
my $query = q{SET enable_seqscan = off;
  SELECT string_agg(id::text, ',') FROM (SELECT id FROM items WHERE c = 3 AND t = 'tag0'
    ORDER BY v <-> array_fill(0.2, ARRAY[8])::vector LIMIT 25) s};
is($standby->safe_psql('postgres', $query), $primary->safe_psql('postgres', $query),
   'the standby answers a filtered query with the primary\'s rows');
is($standby->safe_psql('postgres', q{SELECT violations FROM vecsim_hnsw_verify('items_v')}), '0',
   'the index verifies on the standby');
unlike(slurp_file($standby->logfile), qr/inconsistent page|PANIC|FATAL:.*startup/,
       'replay found no inconsistent page');
$standby->stop;
$primary->stop;

done_testing();
