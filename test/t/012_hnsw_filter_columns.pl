# test/t/012_hnsw_filter_columns.pl
# hnsw filter columns (docs/hnsw_filtering.md) under concurrency, crashes
# and replication, on a primary with wal_consistency_checking for generic
# WAL and a streaming standby: pgbench inserts rows with filter values
# from four clients through rounds of deletes and vacuums; then the
# primary is killed in the middle of such inserts. After each, the index
# breaks no invariant, and for every filter value a scan with the key and
# default settings returns exactly the table's rows of that value (a
# filtered scan goes on until its passing rows run out). The standby
# replays every page exactly and answers filtered queries as the primary.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use FindBin;
use lib $FindBin::Bin;
use VecsimHnsw;

my $primary = PostgreSQL::Test::Cluster->new('filter_primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "wal_consistency_checking = 'Generic'\n");
$primary->start;
$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('filter_standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;

my $row = q{(SELECT array_agg(random() - 0.5) FROM generate_series(1, 8) WHERE g > 0)::vector(8),
            (random() * 19)::int, 'tag' || (random() * 2)::int};
$primary->safe_psql('postgres', qq{
  CREATE EXTENSION vecsim;
  CREATE TABLE items (id bigserial PRIMARY KEY, v vector(8), c int, t text) WITH (autovacuum_enabled = off);
  INSERT INTO items (v, c, t) SELECT $row FROM generate_series(1, 6000) g;
  CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops, c, t) WITH (m = 8, ef_construction = 32);
});

my $script = "${PostgreSQL::Test::Utils::tmp_check}/insert_filtered.sql";
open(my $fh, '>', $script) or die "cannot write $script: $!";
print $fh "INSERT INTO items (v, c, t) SELECT $row FROM generate_series(1, 1) g;\n";
close($fh);

# For every filter value (of c, and of c with t), the rows a keyed scan
# returns under default settings are exactly the table's.
sub keyed_scans_match {
  my ($node, $what) = @_;
  my $mismatches = $node->safe_psql('postgres', q{
    SET enable_seqscan = off; SET enable_bitmapscan = off;
    SELECT count(*) FROM generate_series(0, 19) k
     WHERE (SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM items WHERE c = k
              ORDER BY v <-> array_fill(0.1, ARRAY[8])::vector LIMIT 100000) s)
           IS DISTINCT FROM (SELECT array_agg(id ORDER BY id) FROM items WHERE c = k)
        OR (SELECT count(*) FROM (SELECT id FROM items WHERE c = k AND t = 'tag1'
              ORDER BY v <-> array_fill(-0.1, ARRAY[8])::vector LIMIT 100000) s)
           <> (SELECT count(*) FROM items WHERE c = k AND t = 'tag1');
  });
  is($mismatches, '0', "$what: keyed scans return exactly the rows of each filter value");
  is($node->safe_psql('postgres', q{SELECT violations, unreachable FROM vecsim_hnsw_verify('items_v')}), '0|0',
     "$what: no broken invariant, every live element reachable");
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
$bench = start_pgbench($primary, 4, 30, $script, \$bench_out, \$bench_err);
usleep(1_500_000);
$primary->stop('immediate');
$bench->finish;
$primary->start;
keyed_scans_match($primary, 'after a crash during concurrent inserts');

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
