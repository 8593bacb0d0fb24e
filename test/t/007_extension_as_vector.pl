# test/t/007_extension_as_vector.pl
# vecsim installed under pgvector's extension name (make install-as-vector;
# scripts/test.sh installs it before this suite and removes it after):
#   - CREATE EXTENSION IF NOT EXISTS vector works, twice, and its version
#     says it is vecsim;
#   - vecsim and vector cannot both be created in one database (the second
#     fails cleanly with 42710: the type names are the same);
#   - a pg_dump of a database built with the objects a pgvector database
#     has (vector, halfvec, sparsevec and bit columns; hnsw indexes, an
#     expression and a partial one) restores with psql into a fresh cluster
#     with no edit of the dump, and the same queries give the same rows.
# Skipped when the vector.control installed is not vecsim's (pgvector's own
# is installed, or install-as-vector was not run).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use VecsimAsVector;

plan_unless_installed_as_vector();

my $source = PostgreSQL::Test::Cluster->new('source');
$source->init;
$source->start;

$source->safe_psql('postgres', 'CREATE EXTENSION IF NOT EXISTS vector');
$source->safe_psql('postgres', 'CREATE EXTENSION IF NOT EXISTS vector');
like($source->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'vector'"),
     qr/^0\.8\.0-vecsim-/, 'CREATE EXTENSION IF NOT EXISTS vector, twice, gives vecsim');
my ($ret, $out, $err) = $source->psql('postgres', "\\set VERBOSITY verbose\nCREATE EXTENSION vecsim");
isnt($ret, 0, 'vecsim cannot join vector in one database');
like($err, qr/ERROR:\s+42710: type "vector" already exists/, '... with a clean 42710');

create_items_of_every_type($source, 300);

my $dump = $source->basedir . '/dump.sql';
command_ok([ 'pg_dump', '-d', $source->connstr('postgres'), '-f', $dump ], 'pg_dump');
like(slurp_file($dump), qr/CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;/,
     'the dump creates the extension as pgvector dumps do');

my $target = PostgreSQL::Test::Cluster->new('target');
$target->init;
$target->start;
command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $target->connstr('postgres'), '-f', $dump ],
           'the dump restores with psql, unedited');

my %queries = items_queries();
for my $index (sort keys %queries) {
  my $q = $queries{$index};
  my $sql = "SET enable_seqscan = off; SET hnsw.ef_search = 1000; SET ivfflat.probes = 5; $q";
  my $before = $source->safe_psql('postgres', $sql);
  my $after = $target->safe_psql('postgres', $sql);
  is($after, $before, "same rows after restore: $q");
  like($target->safe_psql('postgres', "SET enable_seqscan = off; SET ivfflat.probes = 5; EXPLAIN (COSTS OFF) $q"),
       qr/Index Scan using $index /, "... answered by the restored $index");
}
is($target->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'vector'"),
   $source->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'vector'"),
   'the restored extension is the same vecsim');

$source->stop;
$target->stop;
done_testing();
