# test/t/003_cancel.pl
# A query cancelled by another session (pg_cancel_backend) in the middle of
# long vecsim work ends with a clean 57014 ERROR; the session keeps working
# and the server never restarts.
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
});

for my $query (
  'SELECT avg(v) FROM big, generate_series(1, 100000)',
  'SELECT count(*) FROM big a, big b WHERE a.v <=> b.v < -1',
  'SELECT sum(v + v) FROM big, generate_series(1, 100000)')
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
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated/, 'no backend crashed');
$node->stop;
done_testing();
