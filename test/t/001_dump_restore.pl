# test/t/001_dump_restore.pl
# Data in vecsim types (vector, halfvec, sparsevec, with btree indexes)
# survives pg_dump/pg_restore (plain and custom
# formats) and a binary COPY out and back in, bit for bit.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
  CREATE DATABASE source;
});
$node->safe_psql('source', q{
  CREATE EXTENSION vecsim;
  CREATE TABLE items (id int PRIMARY KEY, embedding vector(3), free vector,
                      half halfvec(3), sparse sparsevec(100000));
  INSERT INTO items
    SELECT i, ARRAY[i, -i * 0.1, 1e-45]::real[]::vector, ('[' || i || ',3.4028235e38,-0]')::vector,
           ARRAY[i * 0.1, -65504, 6e-8]::real[]::halfvec,
           ('{' || i || ':' || i * 0.1 || ',99999:-1e-40}/100000')::sparsevec
      FROM generate_series(1, 1000) i;
  INSERT INTO items VALUES (0, NULL, NULL, NULL, NULL);
  CREATE INDEX ON items (embedding);
  CREATE INDEX ON items (half);
  CREATE INDEX ON items (sparse);
});
my $digest_sql = q{SELECT md5(string_agg(id || ':' || coalesce(vector_send(embedding)::text, 'null') || ':'
                                     || coalesce(vector_send(free)::text, 'null') || ':'
                                     || coalesce(halfvec_send(half)::text, 'null') || ':'
                                     || coalesce(sparsevec_send(sparse)::text, 'null'), ',' ORDER BY id))
                     FROM items};
my $expected = $node->safe_psql('source', $digest_sql);

my $tempdir = PostgreSQL::Test::Utils::tempdir;
for my $format ('plain', 'custom') {
  my $file = "$tempdir/dump.$format";
  $node->command_ok(['pg_dump', '--format', $format, '--file', $file, '-d', $node->connstr('source')],
                    "pg_dump $format");
  $node->safe_psql('postgres', "CREATE DATABASE restored_$format");
  if ($format eq 'plain') {
    $node->command_ok(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', $file,
                       '-d', $node->connstr("restored_$format")], 'restore plain');
  } else {
    $node->command_ok(['pg_restore', '--exit-on-error', '-d', $node->connstr("restored_$format"), $file],
                      'restore custom');
  }
  is($node->safe_psql("restored_$format", $digest_sql), $expected, "$format dump restores every bit");
  is($node->safe_psql("restored_$format", q{SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                                            WHERE attrelid = 'items'::regclass AND attname = 'embedding'}),
     'vector(3)', "$format dump keeps the typmod");
}

# binary COPY out and back in
my $copy_file = "$tempdir/items.bin";
$node->safe_psql('source', "COPY items TO '$copy_file' WITH (FORMAT binary)");
$node->safe_psql('source', q{CREATE TABLE items2 (LIKE items)});
$node->safe_psql('source', "COPY items2 FROM '$copy_file' WITH (FORMAT binary)");
is($node->safe_psql('source', $digest_sql =~ s/FROM items/FROM items2/r), $expected,
   'binary COPY round trip');

$node->stop;
done_testing();
