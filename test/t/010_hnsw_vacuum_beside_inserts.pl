# test/t/010_hnsw_vacuum_beside_inserts.pl
# hnsw's VACUUM runs beside inserts and scans: while a vacuum repairs the
# index (pg_stat_progress_vacuum says 'vacuuming indexes'), a session
# inserts and scans with lock_timeout = 500ms, and none of its statements
# may wait that long (before, vacuum held the writers' lock for its whole
# pass and every insert waited for it). Then pgbench inserts from four
# clients through rounds of deletes and vacuums. Each time: the index
# verifies clean, every live element is reachable, and an index scan
# that can reach every element returns exactly the table's rows. Last, the
# server is killed in the middle of such a vacuum: every committed row is
# still found, and the next vacuum leaves the index clean.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use VecsimHnsw;

my $node = PostgreSQL::Test::Cluster->new('hnsw_vacuum_beside');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
  CREATE EXTENSION vecsim;
  CREATE TABLE items (id bigserial PRIMARY KEY, v vector(32)) WITH (autovacuum_enabled = off);
  INSERT INTO items (v) SELECT (SELECT array_agg(random()) FROM generate_series(1, 32) WHERE i > 0)
    FROM generate_series(1, 20000) i;
  CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops) WITH (m = 16, ef_construction = 64);
});
my $new_row = 'INSERT INTO items (v) SELECT array_agg(random())::vector(32) FROM generate_series(1, 32)';

# 1. inserts and scans while vacuum repairs the index, one statement each,
# for as long as the index pass lasts; a lock wait of 500 ms fails the
# statement (and the test).
$node->safe_psql('postgres', qq{
  CREATE FUNCTION work_while_vacuum_repairs() RETURNS int LANGUAGE plpgsql AS \$\$
  DECLARE done int := 0;
  BEGIN
    LOOP
      PERFORM pg_stat_clear_snapshot();  -- else the transaction sees one snapshot of the view
      EXIT WHEN NOT EXISTS (SELECT FROM pg_stat_progress_vacuum WHERE phase = 'vacuuming indexes');
      $new_row;
      PERFORM id FROM items ORDER BY v <-> array_fill(0.3, ARRAY[32])::vector LIMIT 10;
      done := done + 1;
    END LOOP;
    RETURN done;
  END \$\$;
});
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 2 = 0');
my ($vacuum_out, $vacuum_err) = ('', '');
my $vacuum = IPC::Run::start(['psql', '-X', '-d', $node->connstr('postgres'), '-c', 'VACUUM items'],
                             '>', \$vacuum_out, '2>', \$vacuum_err);
$node->poll_query_until('postgres',
  q{SELECT count(*) > 0 FROM pg_stat_progress_vacuum WHERE phase = 'vacuuming indexes'})
  or die 'the vacuum never reached its index pass';
my $done = $node->safe_psql('postgres', "SET lock_timeout = '500ms'; SELECT work_while_vacuum_repairs()");
$vacuum->finish;
is($vacuum_err, '', 'the vacuum completed');
cmp_ok($done, '>', 20, "inserts and scans went on during the vacuum's index pass ($done, none waited 500 ms)");
index_is_whole($node, 32, 'after a vacuum beside inserts');

# 2. pgbench inserts through rounds of deletes and vacuums
my $script = "${PostgreSQL::Test::Utils::tmp_check}/insert.sql";
open(my $fh, '>', $script) or die "cannot write $script: $!";
print $fh "$new_row;\n";
close($fh);
my ($bench_out, $bench_err) = ('', '');
my $bench = IPC::Run::start(
  ['pgbench', '-n', '-c', '4', '-j', '2', '-T', '12', '-f', $script, $node->connstr('postgres')],
  '>', \$bench_out, '2>', \$bench_err);
for my $round (0 .. 2) {
  $node->safe_psql('postgres', "DELETE FROM items WHERE id % 3 = $round; VACUUM items;");
}
$bench->finish;
like($bench_out, qr/number of failed transactions: 0/, 'every pgbench insert committed');
index_is_whole($node, 32, 'after rounds of deletes and vacuums beside pgbench inserts');

# 3. a crash in the middle of a vacuum beside inserts: every committed row
# is still found, and the next vacuum leaves the index clean
$node->safe_psql('postgres', q{
  INSERT INTO items (v) SELECT (SELECT array_agg(random()) FROM generate_series(1, 32) WHERE i > 0)
    FROM generate_series(1, 15000) i;
  DELETE FROM items WHERE id % 2 = 1;
});
crash_during_vacuum($node, 32, $script, 300000);

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|PANIC/, 'no backend crashed');
$node->stop;
done_testing();
