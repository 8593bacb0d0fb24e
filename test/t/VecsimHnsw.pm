# test/t/VecsimHnsw.pm
# What the hnsw TAP tests share: pgbench in the background, the check that
# an index scan able to
# reach every element (an iterative scan with no budget) returns exactly
# the rows of the table, that check with the verifier's, and a crash in
# the middle of a vacuum beside inserts, with the checks after it and
# after the next vacuum.
package VecsimHnsw;
use strict;
use warnings;
use Exporter 'import';
use IPC::Run;
use Test::More;
use Time::HiRes qw(usleep);

our @EXPORT = qw(index_returns_every_row index_is_whole crash_during_vacuum start_pgbench);

# pgbench running $script on $node from $clients clients for $seconds, in
# the background (its output into the scalars $out and $err refer to);
# ->finish waits for it.
sub start_pgbench {
  my ($node, $clients, $seconds, $script, $out, $err) = @_;
  return IPC::Run::start(
    ['pgbench', '-n', '-c', $clients, '-j', '2', '-T', $seconds, '-f', $script, $node->connstr('postgres')],
    '>', $out, '2>', $err);
}

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

# On $node (table `items` as above, index `items_v`): the index returns
# every row, breaks no invariant, and every live element is reachable.
sub index_is_whole {
  my ($node, $dims, $what) = @_;
  index_returns_every_row($node, $dims, $what);
  is($node->safe_psql('postgres', q{SELECT violations, unreachable FROM vecsim_hnsw_verify('items_v')}),
     '0|0', "$what: no broken invariant, every live element reachable");
}

# On $node (table `items` as above, index `items_v`): pgbench runs the
# insert script $script from two clients while `VACUUM items` runs; once
# the vacuum is in its index pass, after $pause_us microseconds, the
# server is killed (stop immediate) and started again. Then every
# committed row must be found through the index and the index must break
# no invariant; and after the next vacuum, the index must be whole.
sub crash_during_vacuum {
  my ($node, $dims, $script, $pause_us) = @_;
  my ($bench_out, $bench_err, $vacuum_out, $vacuum_err) = ('', '', '', '');
  my $bench = IPC::Run::start(
    ['pgbench', '-n', '-c', '2', '-j', '2', '-T', '60', '-f', $script, $node->connstr('postgres')],
    '>', \$bench_out, '2>', \$bench_err);
  my $vacuum = IPC::Run::start(['psql', '-X', '-d', $node->connstr('postgres'), '-c', 'VACUUM items'],
                               '>', \$vacuum_out, '2>', \$vacuum_err);
  $node->poll_query_until('postgres',
    q{SELECT count(*) > 0 FROM pg_stat_progress_vacuum WHERE phase = 'vacuuming indexes'})
    or die 'the vacuum never reached its index pass';
  usleep($pause_us);
  $node->stop('immediate');
  $bench->finish;
  $vacuum->finish;
  $node->start;
  index_returns_every_row($node, $dims, 'after a crash during a vacuum beside inserts');
  is($node->safe_psql('postgres', q{SELECT violations FROM vecsim_hnsw_verify('items_v')}), '0',
     'after a crash during a vacuum beside inserts: no broken invariant');
  $node->safe_psql('postgres', 'VACUUM items');
  index_is_whole($node, $dims, 'after the next vacuum');
}

1;
