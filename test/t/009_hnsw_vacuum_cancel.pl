# test/t/009_hnsw_vacuum_cancel.pl
# A VACUUM of an hnsw index cancelled at any point (statement_timeout at
# rising delays, so cancels land in the dead-element scan, the re-links,
# the repairs and the clearing of links; and pg_cancel_backend) loses no
# live row: an exhaustive iterative scan returns every row of the table
# after each cancel, and vecsim_hnsw_verify finds no broken invariant. A
# vacuum run to its end then leaves every element reachable. (Before the
# re-links were moved ahead of the repairs, and repairs made to keep every
# live link, each cancel left live rows no scan could reach.)
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('vacuum_cancel');
$node->init;
$node->append_conf('postgresql.conf', "autovacuum = off\n");
$node->start;
$node->safe_psql('postgres', q{
  CREATE EXTENSION vecsim;
  CREATE TABLE items (id int, v vector(64));
  INSERT INTO items SELECT i, (SELECT array_agg(random()) FROM generate_series(1, 64) WHERE i > 0)
    FROM generate_series(1, 20000) i;
  CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32);
});

my $exhaustive = q{
  SET enable_seqscan = off; SET enable_bitmapscan = off;
  SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 2147483647;
  SET hnsw.scan_mem_multiplier = 1000; SET work_mem = '1GB'; SET hnsw.ef_search = 1000;
  SELECT (SELECT count(*) FROM items) - count(DISTINCT id)
    FROM (SELECT id FROM items ORDER BY v <-> array_fill(0.5, ARRAY[64])::vector LIMIT 100000) s;
};

my $cancelled = 0;
for my $round (1 .. 3) {
  $node->safe_psql('postgres', "DELETE FROM items WHERE id % 7 = $round");
  for my $ms (50, 150, 300, 500, 800, 1200) {
    my ($ret, $out, $err) = $node->psql('postgres', "SET statement_timeout = $ms; VACUUM (INDEX_CLEANUP ON) items");
    $cancelled++ if $err =~ /canceling statement due to statement timeout/;
    is($node->safe_psql('postgres', $exhaustive), '0', "round $round, vacuum stopped at ${ms} ms: no live row lost");
    is($node->safe_psql('postgres', q{SELECT violations FROM vecsim_hnsw_verify('items_v')}), '0',
       "round $round, vacuum stopped at ${ms} ms: no broken invariant");
  }
  $node->safe_psql('postgres', "INSERT INTO items SELECT i, (SELECT array_agg(random()) FROM generate_series(1, 64) "
    . "WHERE i > 0) FROM generate_series(20000 * $round + 1, 20000 * $round + 2000) i");
}
cmp_ok($cancelled, '>=', 6, "vacuums were cancelled ($cancelled of 18)");

# pg_cancel_backend from another session, in the middle of a vacuum
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 5 = 0');
my ($stdout, $stderr) = ('', '');
my $vacuum = IPC::Run::start(
  ['psql', '-X', '-d', $node->connstr('postgres'), '-c', "SET application_name = 'victim'",
   '-c', 'VACUUM (INDEX_CLEANUP ON) items'],
  '>', \$stdout, '2>', \$stderr);
$node->poll_query_until('postgres',
  q{SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'victim' AND query LIKE 'VACUUM%'})
  or die 'vacuum never started';
$node->safe_psql('postgres', q{SELECT pg_sleep(0.3), pg_cancel_backend(pid) FROM pg_stat_activity
                                WHERE application_name = 'victim'});
$vacuum->finish;
is($node->safe_psql('postgres', $exhaustive), '0', 'after pg_cancel_backend: no live row lost');

$node->safe_psql('postgres', 'VACUUM (INDEX_CLEANUP ON) items');
is($node->safe_psql('postgres', q{SELECT violations, unreachable FROM vecsim_hnsw_verify('items_v')}), '0|0',
   'a vacuum run to its end leaves every element reachable');
is($node->safe_psql('postgres', $exhaustive), '0', 'and every row found');
$node->stop;
done_testing();
