# test/t/005_hnsw_standby.pl
# hnsw on a streaming standby, with wal_consistency_checking on for the
# generic WAL records the index writes (the standby compares every page it
# replays with the primary's full-page image): build, inserts, deletes and
# vacuum replay exactly (also of values wider than a page, spilled into
# chunk items, and of rows of equal value sharing elements through TID
# lists: lists started, appended to, pruned, deleted and reused), and the
# standby answers the same queries with the same rows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use VecsimStandby;

my ($primary, $standby) = primary_with_standby("");

$primary->safe_psql('postgres', q{
  CREATE EXTENSION vecsim;
  CREATE TABLE items (id int PRIMARY KEY, v vector(8), s sparsevec(8), b bit(16));
  INSERT INTO items SELECT i, v, v::sparsevec, binary_quantize(v || v)::bit(16)
    FROM (SELECT i, (SELECT array_agg(random() - 0.5) FROM generate_series(1, 8) WHERE i > 0)::vector(8) v
            FROM generate_series(1, 3000) i) s;
  CREATE INDEX items_v ON items USING hnsw (v vector_cosine_ops);
  CREATE INDEX items_s ON items USING hnsw (s sparsevec_ip_ops);
  CREATE INDEX items_b ON items USING hnsw (b bit_jaccard_ops);
  INSERT INTO items SELECT i, v, v::sparsevec, binary_quantize(v || v)::bit(16)
    FROM (SELECT i, (SELECT array_agg(random() - 0.5) FROM generate_series(1, 8) WHERE i > 0)::vector(8) v
            FROM generate_series(3001, 4000) i) s;
  DELETE FROM items WHERE id % 5 = 0;
  VACUUM items;
  INSERT INTO items SELECT i, v, v::sparsevec, binary_quantize(v || v)::bit(16)
    FROM (SELECT i, (SELECT array_agg(random() - 0.5) FROM generate_series(1, 8) WHERE i > 0)::vector(8) v
            FROM generate_series(4001, 4500) i) s;
  CREATE TABLE wide (id int PRIMARY KEY, w vector(3072));
  INSERT INTO wide SELECT i, (SELECT array_agg(random() - 0.5) FROM generate_series(1, 3072) WHERE i > 0)
    FROM generate_series(1, 300) i;
  CREATE INDEX wide_w ON wide USING hnsw (w vector_l2_ops);
  INSERT INTO wide SELECT i, (SELECT array_agg(random() - 0.5) FROM generate_series(1, 3072) WHERE i > 0)
    FROM generate_series(301, 500) i;
  DELETE FROM wide WHERE id % 5 = 0;
  VACUUM wide;
  INSERT INTO wide SELECT i, (SELECT array_agg(random() - 0.5) FROM generate_series(1, 3072) WHERE i > 0)
    FROM generate_series(501, 600) i;
  CREATE TABLE dups (id int PRIMARY KEY, v vector(4));
  INSERT INTO dups SELECT i, ARRAY[i % 40, (i % 40) % 7, 1, 2] FROM generate_series(1, 2000) i;
  CREATE INDEX dups_v ON dups USING hnsw (v vector_l2_ops) WITH (m = 8);
  INSERT INTO dups SELECT i, ARRAY[i % 40, (i % 40) % 7, 1, 2] FROM generate_series(2001, 3000) i;
  DELETE FROM dups WHERE id % 3 = 0 OR id % 40 = 5;
  VACUUM dups;
  INSERT INTO dups SELECT i, ARRAY[i % 40, (i % 40) % 7, 1, 2] FROM generate_series(3001, 3600) i;
});
$primary->wait_for_catchup($standby);

my @queries = (
  q{SELECT id FROM items ORDER BY v <=> '[0.1,0.2,-0.3,0.4,0.1,-0.2,0.3,0.4]' LIMIT 20},
  q{SELECT id FROM items ORDER BY s <#> '{1:0.5,3:-0.2,8:0.7}/8' LIMIT 20},
  q{SELECT id FROM items ORDER BY b <%> '1010101010101010' LIMIT 20},
  q{SELECT id FROM wide ORDER BY w <-> (SELECT w FROM wide WHERE id = 7) LIMIT 20},
  q{SELECT id FROM dups ORDER BY v <-> '[5,5,1,2]' LIMIT 200},
);
for my $query (@queries) {
  my $plan = $standby->safe_psql('postgres', "SET enable_seqscan = off; EXPLAIN (COSTS OFF) $query");
  like($plan, qr/Index Scan/, "the standby scans the index: $query");
  my $on_primary = $primary->safe_psql('postgres', "SET enable_seqscan = off; $query");
  my $on_standby = $standby->safe_psql('postgres', "SET enable_seqscan = off; $query");
  is($on_standby, $on_primary, "same rows on the standby: $query");
}
for my $index (qw(items_v items_s items_b wide_w dups_v)) {
  is($standby->safe_psql('postgres', "SELECT violations FROM vecsim_hnsw_verify('$index')"), '0',
     "$index verifies on the standby");
  is($primary->safe_psql('postgres', "SELECT violations FROM vecsim_hnsw_verify('$index')"), '0',
     "$index verifies on the primary");
}

my $log = slurp_file($standby->logfile);
unlike($log, qr/inconsistent page|PANIC|FATAL:.*startup/, 'replay found no inconsistent page');
$standby->stop;
$primary->stop;
done_testing();
