# test/t/011_hnsw_equal_rows.pl
# Rows of equal value share hnsw elements (ten rows an element), and every
# path that changes an element's rows runs beside the others: pgbench
# inserts rows of 40 values from four clients (each joins an element of
# its value, or starts one) through rounds of deletes and vacuums (which
# take dead rows out of elements, and delete an element with its last
# row); vacuums cancelled part-way by statement_timeout; and the server
# killed in the middle of a vacuum beside such inserts. Each time: the
# index verifies clean, every live element is reachable, and an index
# scan that can reach every element returns exactly the table's rows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use VecsimHnsw;

my $node = PostgreSQL::Test::Cluster->new('hnsw_equal_rows');
$node->init;
$node->start;
# one of 40 values, as a vector(8)
my $value = q{ARRAY[k, k % 7, 1, 2, 3, 4, 5, 6]::vector(8)};
$node->safe_psql('postgres', qq{
  CREATE EXTENSION vecsim;
  CREATE TABLE items (id bigserial PRIMARY KEY, v vector(8)) WITH (autovacuum_enabled = off);
  INSERT INTO items (v) SELECT $value FROM (SELECT i % 40 AS k FROM generate_series(1, 20000) i) s;
  CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32);
});
is($node->safe_psql('postgres', q{SELECT elements FROM vecsim_hnsw_verify('items_v')}), '2000',
   'the build puts 20,000 rows of 40 values in 2,000 elements');

my $script = "${PostgreSQL::Test::Utils::tmp_check}/insert_equal.sql";
open(my $fh, '>', $script) or die "cannot write $script: $!";
print $fh "INSERT INTO items (v) SELECT $value FROM (SELECT (random() * 39)::int AS k) s;\n";
close($fh);

# 1. pgbench inserts through rounds of deletes and vacuums
my ($bench_out, $bench_err) = ('', '');
my $bench = IPC::Run::start(
  ['pgbench', '-n', '-c', '4', '-j', '2', '-T', '12', '-f', $script, $node->connstr('postgres')],
  '>', \$bench_out, '2>', \$bench_err);
for my $round (0 .. 3) {
  # every third row, and then all rows of one value (its elements go)
  $node->safe_psql('postgres', "DELETE FROM items WHERE id % 3 = $round % 3; VACUUM items;");
  $node->safe_psql('postgres', "DELETE FROM items WHERE v = (SELECT $value FROM (SELECT $round AS k) s); VACUUM items;");
}
$bench->finish;
like($bench_out, qr/number of failed transactions: 0/, 'every pgbench insert committed');
index_is_whole($node, 8, 'after rounds of deletes and vacuums beside pgbench inserts of equal rows');

# 2. vacuums cancelled part-way, beside the same inserts; then one that
# completes
$bench = IPC::Run::start(
  ['pgbench', '-n', '-c', '2', '-j', '2', '-T', '10', '-f', $script, $node->connstr('postgres')],
  '>', \$bench_out, '2>', \$bench_err);
my $cancelled = 0;
for my $round (0 .. 5) {
  $node->safe_psql('postgres', "DELETE FROM items WHERE id % 5 = $round % 5");
  my ($ret, $out, $err) = $node->psql('postgres',
    "SET statement_timeout = '" . (30 + 40 * $round) . "ms'; VACUUM items;");
  $cancelled++ if $err =~ /canceling statement due to statement timeout/;
  is($node->safe_psql('postgres', q{SELECT violations FROM vecsim_hnsw_verify('items_v')}), '0',
     "a vacuum cancelled after " . (30 + 40 * $round) . " ms leaves no broken invariant");
  index_returns_every_row($node, 8, "after vacuum $round, cancelled or not");
}
$bench->finish;
cmp_ok($cancelled, '>', 0, "statement_timeout cancelled $cancelled of the vacuums");
$node->safe_psql('postgres', 'VACUUM items');
index_is_whole($node, 8, 'after cancelled vacuums and one that completed');

# 3. the server killed in the middle of a vacuum beside inserts of equal
# rows: every committed row is still found, and the next vacuum leaves the
# index clean
$node->safe_psql('postgres', qq{
  INSERT INTO items (v) SELECT $value FROM (SELECT i % 40 AS k FROM generate_series(1, 20000) i) s;
  DELETE FROM items WHERE id % 2 = 1;
});
crash_during_vacuum($node, 8, $script, 100000);

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|PANIC/, 'no backend crashed');
$node->stop;
done_testing();
