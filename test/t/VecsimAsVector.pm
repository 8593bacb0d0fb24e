# test/t/VecsimAsVector.pm
# What the tests of vecsim under pgvector's name (007, 013) share: the
# check that vecsim is installed as vector (make install-as-vector), a
# table with a column of each type a pgvector database has and the indexes
# such a database has (hnsw and ivfflat, an expression and partial ones),
# and one query per index.
package VecsimAsVector;
use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(plan_unless_installed_as_vector create_items_of_every_type items_queries);

# Skips the whole test unless the vector.control installed is vecsim's
# (pgvector's own is installed, or install-as-vector was not run).
sub plan_unless_installed_as_vector {
  my $sharedir = `pg_config --sharedir`;
  chomp $sharedir;
  my $control = "$sharedir/extension/vector.control";
  my $ours = -f $control && slurp_file($control) =~ /^# installed by vecsim \(make install-as-vector\)$/m;
  plan skip_all => "vector.control is not vecsim's (run make install-as-vector)" unless $ours;
}

# On $node's database postgres: items (id, v vector(4), h halfvec(4),
# s sparsevec(4), b bit(8)) with $rows rows, all derived from one vector,
# and the indexes items_queries names.
sub create_items_of_every_type {
  my ($node, $rows) = @_;
  $node->safe_psql('postgres', qq{
    CREATE TABLE items (id int PRIMARY KEY, v vector(4), h halfvec(4), s sparsevec(4), b bit(8));
    INSERT INTO items
      SELECT i, v, v::halfvec, v::sparsevec, binary_quantize(v || v)::bit(8)
        FROM (SELECT i, ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7) * 2, cos(i * 2.1)]::vector(4) AS v
                FROM generate_series(1, $rows) i) t;
    CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops);
    CREATE INDEX items_h ON items USING hnsw (h halfvec_cosine_ops) WITH (m = 8, ef_construction = 32);
    CREATE INDEX items_s ON items USING hnsw (s sparsevec_ip_ops);
    CREATE INDEX items_b ON items USING hnsw (b bit_hamming_ops);
    CREATE INDEX items_expr ON items USING hnsw ((l2_normalize(v)::vector(4)) vector_ip_ops);
    CREATE INDEX items_part ON items USING hnsw (v vector_l1_ops) WHERE id % 2 = 0;
    CREATE INDEX items_ivf ON items USING ivfflat ((v::halfvec(4)) halfvec_ip_ops) WITH (lists = 5);
    CREATE INDEX items_ivf_part ON items USING ivfflat (v vector_cosine_ops) WITH (lists = 3) WHERE id % 3 = 0;
  });
}

# Index name => a query the planner answers through it (with
# enable_seqscan off). Run them with hnsw.ef_search above the row count and
# ivfflat.probes at least lists: each search then covers its whole index,
# so the rows depend on neither the random levels nor the k-means of a
# build. The bit query returns distances: its ties make ids arbitrary.
sub items_queries {
  return (
    items_v        => q{SELECT id FROM items ORDER BY v <-> '[0.5,0.5,0.5,0.5]' LIMIT 7},
    items_h        => q{SELECT id FROM items ORDER BY h <=> '[1,0,1,0]' LIMIT 7},
    items_s        => q{SELECT id FROM items ORDER BY s <#> '{1:1,3:2}/4' LIMIT 7},
    items_b        => q{SELECT b <~> B'10101010' FROM items ORDER BY b <~> B'10101010' LIMIT 7},
    items_expr     => q{SELECT id FROM items ORDER BY l2_normalize(v)::vector(4) <#> '[1,0,0,0]' LIMIT 7},
    items_part     => q{SELECT id FROM items WHERE id % 2 = 0 ORDER BY v <+> '[0,0,1,1]' LIMIT 7},
    items_ivf      => q{SELECT id FROM items ORDER BY v::halfvec(4) <#> '[1,0,1,0]' LIMIT 7},
    items_ivf_part => q{SELECT id FROM items WHERE id % 3 = 0 ORDER BY v <=> '[0,1,0,1]' LIMIT 7},
  );
}

1;
