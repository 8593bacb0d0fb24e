# test/t/002_preload.pl
# vecsim works when loaded through shared_preload_libraries as well as on
# first use, the kernel level it picked is visible, and the index settings
# exist from the start of every session.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'vecsim'");
$node->append_conf('postgresql.conf', "hnsw.ef_search = 100");
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION vecsim');
is($node->safe_psql('postgres', q{SELECT '[1,2,3]'::vector <-> '[4,5,6]'}), '5.196152422706632',
   'distance with the library preloaded');
like($node->safe_psql('postgres', 'SELECT vecsim_simd_info()'), qr/^(scalar|x86-64-v[34])/,
     'kernel level reported');
is($node->safe_psql('postgres', q{SELECT avg(v) FROM (VALUES ('[1,2]'::vector), ('[3,4]')) t(v)}),
   '[2,3]', 'aggregate with the library preloaded');
is($node->safe_psql('postgres', 'SHOW hnsw.ef_search'), '100',
   'an index setting from postgresql.conf applies in a new session');
is($node->safe_psql('postgres', 'SHOW ivfflat.probes'), '1', 'index settings have their defaults');

$node->stop;
done_testing();
