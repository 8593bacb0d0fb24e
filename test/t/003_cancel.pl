# test/t/003_cancel.pl
# A query cancelled by another session (pg_cancel_backend) in the middle of
# long vecsim work (including hnsw and ivfflat index builds: the graph, and
# the k-means on helper threads) ends with a clean 57014
# ERROR; the session keeps working, the server never restarts, and a
# cancelled build leaves no index behind.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cancel');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
  CREATE EXTENSION vecsim;
  CREATE TABLE big AS
    SELECT array_fill(i % 5 + 0.25, ARRAY[2000])::real[]::vector(2000) AS v
      FROM generate_series(1, 2000) i;
  CREATE TABLE pts AS
    SELECT (SELECT array_agg(random()) FROM generate_series(1, 64) WHERE i > 0)::vector(64) AS v
      FROM generate_series(1, 60000) i;
});

for my $query (
  'SELECT avg(v) FROM big, generate_series(1, 100000)',
  'SELECT count(*) FROM big a, big b WHERE a.v <=> b.v < -1',
  'SELECT sum(v + v) FROM big, generate_series(1, 100000)',
  'CREATE INDEX pts_v ON pts USING hnsw (v vector_l2_ops)',
  'CREATE INDEX pts_ivf ON pts USING ivfflat (v vector_l2_ops) WITH (lists = 2000)')
{
  my ($stdout, $stderr) = ('', '');
  my $psql = IPC::Run::start(
    ['psql', '-X', '-v', 'ON_ERROR_STOP=0', '-d', $node->connstr('postgres'),
     '-c', "SET application_name = 'victim'", '-c', $query, '-c', 'SELECT 42 AS alive'],
    '>', \$stdout, '2>', \$stderr);
  # wait until the query is running, then cancel it from another session
  $node->poll_query_until('postgres',
    q{SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'victim' AND state = 'active'
        AND query NOT LIKE 'SET%'})
    or die 'query never started';
  sleep 1;
  $node->safe_psql('postgres',
    q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'victim'});
  $psql->finish;
  like($stderr, qr/canceling statement due to user request/, "cancelled: $query");
  like($stdout, qr/42/, "the session goes on after: $query");
}

is($node->safe_psql('postgres', q{SELECT vector_dims(avg(v)) FROM big}), '2000', 'server still serves');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_class WHERE relname IN ('pts_v', 'pts_ivf')}), '0',
   'a cancelled index build leaves no index');
$node->safe_psql('postgres', q{SET maintenance_work_mem = '1MB'; CREATE INDEX pts_v ON pts USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 8)});
is($node->safe_psql('postgres', q{SELECT violations FROM vecsim_hnsw_verify('pts_v')}), '0',
   'a build that spills past maintenance_work_mem verifies');
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated/, 'no backend crashed');
$node->stop;
done_testing();
