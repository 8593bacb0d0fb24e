# test/t/006_foreign_index.pl
# An hnsw index whose pages vecsim did not write, as a pgvector index
# carried over by pg_upgrade would be (pgvector's 8-byte special space is
# {next block, unused, page id 0xFF90}; vecsim's begins with 0xFF95), is
# refused cleanly by every path that reads it: a scan, an insert and
# vecsim_hnsw_verify fail with SQLSTATE 55000, a DETAIL naming pgvector and
# a HINT naming REINDEX; a VACUUM warns the same way and completes (failing
# would fail every vacuum of the table); the server does not crash; after
# REINDEX the index works and verifies clean.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('foreign');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
  CREATE EXTENSION vecsim;
  CREATE TABLE items (id int, v vector(3));
  INSERT INTO items SELECT i, ARRAY[i, i % 7, i % 13]::vector FROM generate_series(1, 500) i;
  CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops);
});
my $path = $node->safe_psql('postgres', "SELECT pg_relation_filepath('items_v')");
$node->stop;

# The metapage's special space is its last 8 bytes: written as pgvector
# lays its own out (little-endian here).
my $file = $node->data_dir . "/$path";
open(my $fh, '+<:raw', $file) or die "cannot open $file: $!";
seek($fh, 8192 - 8, 0) or die "cannot seek: $!";
print $fh pack('V v v', 0xFFFFFFFF, 0, 0xFF90);
close($fh) or die "cannot close: $!";
$node->start;

my %statements = (
  'scan'   => "SET enable_seqscan = off; SELECT id FROM items ORDER BY v <-> '[1,2,3]' LIMIT 3;",
  'insert' => "INSERT INTO items VALUES (1000, '[1,1,1]');",
  'verify' => "SELECT * FROM vecsim_hnsw_verify('items_v');",
);
for my $what (sort keys %statements) {
  my ($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n" . $statements{$what});
  isnt($ret, 0, "$what of a foreign index fails");
  like($err, qr/ERROR:\s+55000: index "items_v" was not built by vecsim's hnsw access method/,
       "$what: SQLSTATE 55000 and the message");
  like($err, qr/DETAIL:\s+Its pages are pgvector's \(page id 0xFF90\)/, "$what: the detail names pgvector");
  like($err, qr/HINT:\s+.*REINDEX INDEX public\.items_v/, "$what: the hint names REINDEX");
  is($node->safe_psql('postgres', 'SELECT 1'), '1', "$what: the server is still up");
}
my ($vret, $vout, $verr) = $node->psql('postgres',
  "\\set VERBOSITY verbose\nDELETE FROM items WHERE id % 10 = 0; VACUUM items;");
is($vret, 0, 'a VACUUM of the table completes');
like($verr, qr/WARNING:\s+55000: index "items_v" was not built by vecsim's hnsw access method/,
     '... warning that the index is not vecsim\'s');
like($verr, qr/HINT:\s+.*REINDEX INDEX public\.items_v/, '... with the hint');

$node->safe_psql('postgres', 'REINDEX INDEX items_v');
is($node->safe_psql('postgres',
     'SELECT violations = 0 AND unreachable = 0 AND count_matches FROM vecsim_hnsw_verify(\'items_v\')'),
   't', 'after REINDEX the index verifies clean');
is($node->safe_psql('postgres', q{
     SET enable_seqscan = off;
     SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> '[1,2,3]' LIMIT 3) t}),
   '3', 'after REINDEX a scan returns rows');

$node->stop;
done_testing();
