# test/t/VecsimHnsw.pm
# What the hnsw TAP tests share: the check that an index scan able to
# reach every element (an iterative scan with no budget) returns exactly
# the rows of the table.
package VecsimHnsw;
use strict;
use warnings;
use Exporter 'import';
use Test::More;

our @EXPORT = qw(index_returns_every_row);

# On $node, table `items` (id, v vector($dims)) with an hnsw index on v:
# passes when the index returns each of the table's rows once; returns
# the table's row count.
sub index_returns_every_row {
  my ($node, $dims, $what) = @_;
  my $table = $node->safe_psql('postgres', 'SELECT count(*) FROM items');
  my $via_index = $node->safe_psql('postgres', qq{
    SET enable_seqscan = off; SET enable_bitmapscan = off;
    SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 2147483647;
    SET hnsw.scan_mem_multiplier = 1000; SET work_mem = '1GB'; SET hnsw.ef_search = 1000;
    SELECT count(DISTINCT id) FROM (SELECT id FROM items ORDER BY v <-> array_fill(0.5, ARRAY[$dims])::vector LIMIT $table) s;
  });
  is($via_index, $table, "$what: the index returns every row of the table ($table)");
  return $table;
}

1;
