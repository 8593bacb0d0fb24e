# test/t/006_foreign_index.pl
# An hnsw index whose pages vecsim did not write (as a pgvector index
# carried over by pg_upgrade would be: pgvector's hnsw pages carry page id
# 0xFF90 where vecsim's carry 0xFF95) is refused cleanly by every path that
# reads it: a scan, an insert, a vacuum and vecsim_hnsw_verify each fail
# with SQLSTATE 55000 and a HINT naming REINDEX, the server does not crash,
# and after REINDEX the index works and verifies clean.
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

# The metapage's special space is its last 8 bytes; the page id is their
# first two (little-endian here).
my $file = $node->data_dir . "/$path";
open(my $fh, '+<:raw', $file) or die "cannot open $file: $!";
seek($fh, 8192 - 8, 0) or die "cannot seek: $!";
print $fh pack('v', 0xFF90);
close($fh) or die "cannot close: $!";
$node->start;

my %statements = (
  'scan'   => "SET enable_seqscan = off; SELECT id FROM items ORDER BY v <-> '[1,2,3]' LIMIT 3;",
  'insert' => "INSERT INTO items VALUES (1000, '[1,1,1]');",
  'vacuum' => "DELETE FROM items WHERE id % 10 = 0; VACUUM items;",
  'verify' => "SELECT * FROM vecsim_hnsw_verify('items_v');",
);
for my $what (sort keys %statements) {
  my ($ret, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n" . $statements{$what});
  isnt($ret, 0, "$what of a foreign index fails");
  like($err, qr/ERROR:\s+55000: index "items_v" was not built by vecsim's hnsw access method/,
       "$what: SQLSTATE 55000 and the message");
  like($err, qr/DETAIL:\s+.*page id 0xFF90/, "$what: the detail names what was found");
  like($err, qr/HINT:\s+.*REINDEX INDEX public\.items_v/, "$what: the hint names REINDEX");
  is($node->safe_psql('postgres', 'SELECT 1'), '1', "$what: the server is still up");
}

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
