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

my $sharedir = `pg_config --sharedir`;
chomp $sharedir;
my $control = "$sharedir/extension/vector.control";
my $ours = -f $control && slurp_file($control) =~ /^# installed by vecsim \(make install-as-vector\)$/m;
plan skip_all => "vector.control is not vecsim's (run make install-as-vector)" unless $ours;

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

$source->safe_psql('postgres', q{
  CREATE TABLE items (id int PRIMARY KEY, v vector(4), h halfvec(4), s sparsevec(4), b bit(8));
  INSERT INTO items
    SELECT i, v, v::halfvec, v::sparsevec, binary_quantize(v || v)::bit(8)
      FROM (SELECT i, ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7) * 2, cos(i * 2.1)]::vector(4) AS v
              FROM generate_series(1, 300) i) t;
  CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops);
  CREATE INDEX items_h ON items USING hnsw (h halfvec_cosine_ops) WITH (m = 8, ef_construction = 32);
  CREATE INDEX items_s ON items USING hnsw (s sparsevec_ip_ops);
  CREATE INDEX items_b ON items USING hnsw (b bit_hamming_ops);
  CREATE INDEX items_expr ON items USING hnsw ((l2_normalize(v)::vector(4)) vector_ip_ops);
  CREATE INDEX items_part ON items USING hnsw (v vector_l1_ops) WHERE id % 2 = 0;
  CREATE INDEX items_ivf ON items USING ivfflat ((v::halfvec(4)) halfvec_ip_ops) WITH (lists = 5);
  CREATE INDEX items_ivf_part ON items USING ivfflat (v vector_cosine_ops) WITH (lists = 3) WHERE id % 3 = 0;
});

my $dump = $source->basedir . '/dump.sql';
command_ok([ 'pg_dump', '-d', $source->connstr('postgres'), '-f', $dump ], 'pg_dump');
like(slurp_file($dump), qr/CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;/,
     'the dump creates the extension as pgvector dumps do');

my $target = PostgreSQL::Test::Cluster->new('target');
$target->init;
$target->start;
command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $target->connstr('postgres'), '-f', $dump ],
           'the dump restores with psql, unedited');

# ef_search above the row count: each search covers its whole graph, so
# the rows do not depend on the random levels of either build; probes at
# least lists: each ivfflat scan reads every list, so the rows do not
# depend on either build's k-means.
my @queries = (
  q{SELECT id FROM items ORDER BY v <-> '[0.5,0.5,0.5,0.5]' LIMIT 7},
  q{SELECT id FROM items ORDER BY h <=> '[1,0,1,0]' LIMIT 7},
  q{SELECT id FROM items ORDER BY s <#> '{1:1,3:2}/4' LIMIT 7},
  q{SELECT b <~> B'10101010' FROM items ORDER BY b <~> B'10101010' LIMIT 7},  # ties: distances
  q{SELECT id FROM items ORDER BY l2_normalize(v)::vector(4) <#> '[1,0,0,0]' LIMIT 7},
  q{SELECT id FROM items WHERE id % 2 = 0 ORDER BY v <+> '[0,0,1,1]' LIMIT 7},
  q{SELECT id FROM items ORDER BY v::halfvec(4) <#> '[1,0,1,0]' LIMIT 7},
  q{SELECT id FROM items WHERE id % 3 = 0 ORDER BY v <=> '[0,1,0,1]' LIMIT 7},
);
for my $q (@queries) {
  my $sql = "SET enable_seqscan = off; SET hnsw.ef_search = 1000; SET ivfflat.probes = 5; $q";
  my $before = $source->safe_psql('postgres', $sql);
  my $after = $target->safe_psql('postgres', $sql);
  is($after, $before, "same rows after restore: $q");
  like($target->safe_psql('postgres', "SET enable_seqscan = off; SET ivfflat.probes = 5; EXPLAIN (COSTS OFF) $q"),
       qr/Index Scan using items_/, "... answered by a restored index");
}
is($target->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'vector'"),
   $source->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'vector'"),
   'the restored extension is the same vecsim');

$source->stop;
$target->stop;
done_testing();
