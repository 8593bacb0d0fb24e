# test/t/008_ivfflat_crash_standby.pl
# ivfflat under concurrent inserts (pgbench, 4 clients into 4 lists, so
# chains are extended concurrently), on a primary with a streaming standby
# and wal_consistency_checking on for the generic WAL records the index
# writes; then a crash of the primary in the middle of those inserts; and
# vacuum and scans cancelled by statement_timeout at many points. Each
# time: every row the table holds is in exactly one list
# (vecsim_ivfflat_verify), no committed row is lost, and the standby
# answers as the primary does. A second table holds values wider than a
# page (vector(2100), 8,400 bytes: every entry's value is in chunks).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use VecsimStandby;

my ($primary, $standby) = primary_with_standby("ivf_", "wal_keep_size = '1GB'\n");

$primary->safe_psql('postgres', q{
  CREATE EXTENSION vecsim;
  CREATE TABLE items (id bigserial PRIMARY KEY, v vector(16), h halfvec(16), b bit(32));
  INSERT INTO items (v, h, b) SELECT v, v, binary_quantize(v || v) FROM
    (SELECT (SELECT array_agg(random() - 0.5) FROM generate_series(1, 16) WHERE i > 0)::vector(16) v
       FROM generate_series(1, 3000) i) s;
  CREATE INDEX items_v ON items USING ivfflat (v vector_l2_ops) WITH (lists = 4);
  CREATE INDEX items_h ON items USING ivfflat (h halfvec_cosine_ops) WITH (lists = 4);
  CREATE INDEX items_b ON items USING ivfflat (b bit_hamming_ops) WITH (lists = 4);
  CREATE TABLE wide (id bigserial PRIMARY KEY, w vector(2100));
  INSERT INTO wide (w) SELECT (SELECT array_agg(random() - 0.5) FROM generate_series(1, 2100) WHERE i > 0)
    FROM generate_series(1, 500) i;
  CREATE INDEX wide_w ON wide USING ivfflat (w vector_l2_ops) WITH (lists = 4);
});
my $wide_insert = 'INSERT INTO wide (w) SELECT array_agg(random() - 0.5)::vector(2100) FROM generate_series(1, 2100);';

my $script = "${PostgreSQL::Test::Utils::tmp_check}/ivf_insert.sql";
open(my $fh, '>', $script) or die "cannot write $script: $!";
print $fh "INSERT INTO items (v, h, b) SELECT v, v, binary_quantize(v || v) FROM "
  . "(SELECT array_agg(random() - 0.5)::vector(16) v FROM generate_series(1, 16)) s;\n$wide_insert\n";
close($fh);

# pgbench in the background: clients x transactions inserts, one per transaction.
sub start_pgbench {
  my ($transactions) = @_;
  my %run = (out => '', err => '');
  $run{handle} = IPC::Run::start(
    ['pgbench', '-n', '-c', '4', '-j', '2', '-t', $transactions, '-f', $script, $primary->connstr('postgres')],
    '>', \$run{out}, '2>', \$run{err});
  return \%run;
}

sub check_indexes {
  my ($node, $what) = @_;
  for my $index (qw(items_v items_h items_b wide_w)) {
    my $verify = $node->safe_psql('postgres',
      "SELECT missing, duplicates FROM vecsim_ivfflat_verify('$index')");
    is($verify, '0|0', "$what: every row of the table in exactly one list of $index");
  }
}

# 1. concurrent inserts, replayed on the standby
my $run = start_pgbench(500);
$run->{handle}->finish;
is($primary->safe_psql('postgres', 'SELECT count(*) FROM items'), '5000', 'all concurrent inserts landed');
check_indexes($primary, 'after concurrent inserts');
$primary->wait_for_catchup($standby);
check_indexes($standby, 'on the standby');
my @queries = (
  q{SELECT id FROM items ORDER BY v <-> (SELECT v FROM items WHERE id = 7) LIMIT 20},
  q{SELECT id FROM items ORDER BY h <=> (SELECT h FROM items WHERE id = 8) LIMIT 20},
  q{SELECT id FROM items ORDER BY b <~> (SELECT b FROM items WHERE id = 9), id LIMIT 20},
  q{SELECT id FROM wide ORDER BY w <-> (SELECT w FROM wide WHERE id = 10) LIMIT 20},
);
sub compare_standby {
  my ($what) = @_;
  $primary->wait_for_catchup($standby);
  for my $query (@queries) {
    my $settings = 'SET enable_seqscan = off; SET ivfflat.probes = 2;';
    like($standby->safe_psql('postgres', "$settings EXPLAIN (COSTS OFF) $query"), qr/Index Scan/,
         "$what: the standby scans the index");
    is($standby->safe_psql('postgres', "$settings $query"), $primary->safe_psql('postgres', "$settings $query"),
       "$what: same rows on the standby: $query");
  }
}
compare_standby('after concurrent inserts');

# 2. a crash of the primary in the middle of concurrent inserts
$run = start_pgbench(5000);
$primary->poll_query_until('postgres', 'SELECT count(*) > 7000 FROM items') or die 'inserts never got going';
my $before_crash = $primary->safe_psql('postgres', 'SELECT count(*) FROM items');
$primary->stop('immediate');
$run->{handle}->finish;
$primary->start;
my $rows = $primary->safe_psql('postgres', 'SELECT count(*) FROM items');
cmp_ok($rows, '>=', $before_crash, "no row committed before the crash was lost ($rows >= $before_crash)");
check_indexes($primary, 'after a crash');

# 3. vacuum and scans cancelled at many points, inserts between
$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 3 = 0; DELETE FROM wide WHERE id % 3 = 0');
my $cancelled = 0;
for my $ms (1 .. 25) {
  my ($ret, $out, $err) = $primary->psql('postgres', "SET statement_timeout = $ms; VACUUM items, wide");
  $cancelled++ if $err =~ /canceling statement due to statement timeout/;
  $primary->psql('postgres',
    "SET statement_timeout = $ms; SET enable_seqscan = off; SET ivfflat.probes = 4; "
    . "SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> (SELECT v FROM items LIMIT 1) LIMIT 100000) s");
  $primary->safe_psql('postgres', 'INSERT INTO items (v, h, b) SELECT v, v, binary_quantize(v || v) FROM '
    . '(SELECT array_agg(random() - 0.5)::vector(16) v FROM generate_series(1, 16)) s');
  $primary->safe_psql('postgres', $wide_insert);
}
cmp_ok($cancelled, '>', 0, "some vacuums were cancelled ($cancelled of 25)");
check_indexes($primary, 'after cancelled vacuums and scans');
$primary->safe_psql('postgres', 'VACUUM items, wide');
for my $index (qw(items_v wide_w)) {
  my $stale = $primary->safe_psql('postgres', "SELECT stale FROM vecsim_ivfflat_verify('$index')");
  is($stale, '0', "a vacuum run to its end leaves no dead entry in $index");
}
check_indexes($primary, 'after a complete vacuum');
compare_standby('after crash, cancels and vacuum');

for my $node ($primary, $standby) {
  my $log = slurp_file($node->logfile);
  unlike($log, qr/inconsistent page|terminated by signal|PANIC/, $node->name . ': no inconsistent page, no crash');
}
$standby->stop;
$primary->stop;
done_testing();
