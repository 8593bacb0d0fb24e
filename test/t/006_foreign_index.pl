# test/t/006_foreign_index.pl
# An hnsw or ivfflat index whose pages vecsim did not write, as a pgvector
# index carried over by pg_upgrade would be (pgvector's 8-byte special
# space ends in its page id: 0xFF90 hnsw, 0xFF84 ivfflat; vecsim's begins
# with 0xFF95), is refused cleanly by every path that reads it: a scan, an
# insert and vecsim's functions that read an index fail with SQLSTATE
# 55000, a DETAIL naming pgvector and a HINT naming REINDEX; a VACUUM
# warns the same way and completes (failing would fail every vacuum of
# the table); the server does not crash; after REINDEX the index works and
# verifies clean.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('foreign');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vecsim');

my %cases = (
  hnsw => {
    page_id => 0xFF90,
    create  => 'CREATE INDEX items_hnsw_idx ON items_hnsw USING hnsw (v vector_l2_ops)',
    checks  => {
      verify => "SELECT * FROM vecsim_hnsw_verify('items_hnsw_idx')",
    },
    clean   => "SELECT violations = 0 AND unreachable = 0 AND count_matches FROM vecsim_hnsw_verify('items_hnsw_idx')",
  },
  ivfflat => {
    page_id => 0xFF84,
    create  => 'CREATE INDEX items_ivfflat_idx ON items_ivfflat USING ivfflat (v vector_l2_ops) WITH (lists = 4)',
    checks  => {
      verify => "SELECT * FROM vecsim_ivfflat_verify('items_ivfflat_idx')",
      lists  => "SELECT * FROM vecsim_ivfflat_lists('items_ivfflat_idx')",
    },
    clean   => "SELECT missing = 0 AND duplicates = 0 FROM vecsim_ivfflat_verify('items_ivfflat_idx')",
  },
);

for my $am (sort keys %cases) {
  my $case = $cases{$am};
  my ($table, $index) = ("items_$am", "items_${am}_idx");
  $node->safe_psql('postgres', qq{
    CREATE TABLE $table (id int, v vector(3));
    INSERT INTO $table SELECT i, ARRAY[i, i % 7, i % 13]::vector FROM generate_series(1, 500) i;
    $case->{create};
  });
  my $path = $node->safe_psql('postgres', "SELECT pg_relation_filepath('$index')");
  $node->stop;

  # The metapage's special space is its last 8 bytes: written as pgvector
  # lays its own out (little-endian here).
  my $file = $node->data_dir . "/$path";
  open(my $fh, '+<:raw', $file) or die "cannot open $file: $!";
  seek($fh, 8192 - 8, 0) or die "cannot seek: $!";
  print $fh pack('V v v', 0xFFFFFFFF, 0, $case->{page_id});
  close($fh) or die "cannot close: $!";
  $node->start;

  my %statements = (
    scan   => "SET enable_seqscan = off; SET ivfflat.probes = 4; SELECT id FROM $table ORDER BY v <-> '[1,2,3]' LIMIT 3;",
    insert => "INSERT INTO $table VALUES (1000, '[1,1,1]');",
    %{ $case->{checks} },
  );
  my $detail = sprintf('Its pages are pgvector\'s \(page id 0x%04X\)', $case->{page_id});
  for my $what (sort keys %statements) {
    my ($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n" . $statements{$what});
    isnt($ret, 0, "$am: $what of a foreign index fails");
    like($err, qr/ERROR:\s+55000: index "$index" was not built by vecsim's $am access method/,
         "$am: $what: SQLSTATE 55000 and the message");
    like($err, qr/DETAIL:\s+$detail/, "$am: $what: the detail names pgvector");
    like($err, qr/HINT:\s+.*REINDEX INDEX public\.$index/, "$am: $what: the hint names REINDEX");
    is($node->safe_psql('postgres', 'SELECT 1'), '1', "$am: $what: the server is still up");
  }
  my ($vret, $vout, $verr) = $node->psql('postgres',
    "\\set VERBOSITY verbose\nDELETE FROM $table WHERE id % 10 = 0; VACUUM $table;");
  is($vret, 0, "$am: a VACUUM of the table completes");
  like($verr, qr/WARNING:\s+55000: index "$index" was not built by vecsim's $am access method/,
       "$am: ... warning that the index is not vecsim's");
  like($verr, qr/HINT:\s+.*REINDEX INDEX public\.$index/, "$am: ... with the hint");

  $node->safe_psql('postgres', "REINDEX INDEX $index");
  is($node->safe_psql('postgres', $case->{clean}), 't', "$am: after REINDEX the index verifies clean");
  is($node->safe_psql('postgres', qq{
       SET enable_seqscan = off; SET ivfflat.probes = 4;
       SELECT count(*) FROM (SELECT id FROM $table ORDER BY v <-> '[1,2,3]' LIMIT 3) t}),
     '3', "$am: after REINDEX a scan returns rows");
}

$node->stop;
done_testing();
