# test/t/013_pg_upgrade_from_pgvector.pl
# pg_upgrade of a cluster whose catalogue is pgvector 0.8's onto vecsim
# installed as vector (make install-as-vector):
#   - the old cluster's extension is CREATE EXTENSION vector VERSION '0.8.0':
#     pgvector 0.8's objects, each C function catalogued as pgvector
#     catalogues it ($libdir/vector and pgvector's symbol), which is what
#     pg_upgrade carries over from a real pgvector cluster;
#   - two of its indexes are made pgvector's (their metapages get pgvector's
#     page ids), as a pgvector cluster's indexes are;
#   - pg_upgrade succeeds; every row is byte for byte the same; indexes
#     vecsim built answer as before; the two pgvector ones are refused with
#     55000 and a hint naming REINDEX, and after the REINDEX that the
#     README's query writes they answer as an exact scan does;
#   - ALTER EXTENSION vector UPDATE then adds vecsim's own objects, and
#     every index verifies clean.
# Also: the script under pgvector's name names no vecsim_* symbol outside
# vecsim's additions (src/pg/pgvector_symbols.def covers the surface).
# Skipped when vecsim is not installed as vector.
use strict;
use warnings;
use Cwd;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::Bin;
use VecsimAsVector;

plan_unless_installed_as_vector();
my $bindir = `pg_config --bindir`;
chomp $bindir;

my $old = PostgreSQL::Test::Cluster->new('old');
$old->init;
$old->start;

# The full script under pgvector's name: pgvector's symbols throughout,
# vecsim's own only for vecsim's own functions.
$old->safe_psql('postgres', 'CREATE DATABASE probe');
$old->safe_psql('probe', 'CREATE EXTENSION vector');
is($old->safe_psql('probe', q{
     SELECT string_agg(proname || ' ' || prosrc, ', ')
       FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
      WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'vector')
        AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
        AND (p.probin <> '$libdir/vector' OR (p.prosrc LIKE 'vecsim\_%' AND p.proname NOT LIKE 'vecsim\_%'))}),
   '', 'CREATE EXTENSION vector catalogues every function as pgvector does');
$old->safe_psql('postgres', 'DROP DATABASE probe');

$old->safe_psql('postgres', q{CREATE EXTENSION vector VERSION '0.8.0'});
is($old->safe_psql('postgres', q{
     SELECT count(*) FILTER (WHERE probin = '$libdir/vector') || ' ' ||
            count(*) FILTER (WHERE prosrc LIKE 'vecsim%')
       FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
      WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'vector')}),
   '114 0', "version 0.8.0 is pgvector 0.8's 114 functions under pgvector's symbols");

create_items_of_every_type($old, 400);

# ef_search above the row count and probes at least lists (items_queries).
my $settings = 'SET hnsw.ef_search = 1000; SET ivfflat.probes = 5;';
my %queries = items_queries();
my %exact;
for my $index (sort keys %queries) {
  $exact{$index} = $old->safe_psql('postgres', "SET enable_indexscan = off; $queries{$index}");
  is($old->safe_psql('postgres', "SET enable_seqscan = off; $settings $queries{$index}"), $exact{$index},
     "before: $index answers as an exact scan");
}
my $rows_sql = q{SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM items t};
my $rows_before = $old->safe_psql('postgres', $rows_sql);

# pgvector's indexes: the last two bytes of the metapage's special space
# are pgvector's page id (0xFF90 hnsw, 0xFF84 ivfflat), as in 006.
my %foreign = (items_v => 0xFF90, items_ivf => 0xFF84);
my %path = map { $_ => $old->safe_psql('postgres', "SELECT pg_relation_filepath('$_')") } keys %foreign;
$old->stop;
for my $index (sort keys %foreign) {
  my $file = $old->data_dir . "/$path{$index}";
  open(my $fh, '+<:raw', $file) or die "cannot open $file: $!";
  seek($fh, 8192 - 8, 0) or die "cannot seek: $!";
  print $fh pack('V v v', 0xFFFFFFFF, 0, $foreign{$index});
  close($fh) or die "cannot close: $!";
}

my $new = PostgreSQL::Test::Cluster->new('new');
$new->init;
my $cwd = getcwd();
chdir $PostgreSQL::Test::Utils::tmp_check or die "cannot chdir: $!";
command_ok([ "$bindir/pg_upgrade", '--no-sync', '-b', $bindir, '-B', $bindir,
             '-d', $old->data_dir, '-D', $new->data_dir, '-s', $new->host,
             '-p', $old->port, '-P', $new->port ],
           'pg_upgrade from the pgvector catalogue onto vecsim');
chdir $cwd or die "cannot chdir back: $!";
$new->start;

is($new->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'vector'"),
   '0.8.0', "the extension keeps pgvector's version");
is($new->safe_psql('postgres', $rows_sql), $rows_before, 'every row is the same, byte for byte');

for my $index (sort keys %queries) {
  my $sql = "SET enable_seqscan = off; $settings $queries{$index}";
  if ($foreign{$index}) {
    my ($ret, $out, $err) = $new->psql('postgres', "\\set VERBOSITY verbose\n$sql");
    isnt($ret, 0, "after: the pgvector index $index is refused");
    like($err, qr/ERROR:\s+55000: index "$index" was not built by vecsim's \w+ access method/,
         '... with 55000');
    like($err, qr/HINT:\s+.*REINDEX INDEX public\.$index/, '... and a hint naming REINDEX');
  } else {
    is($new->safe_psql('postgres', $sql), $exact{$index}, "after: $index answers as before");
  }
}

# The README's query: REINDEX every vector index.
my $reindex = $new->safe_psql('postgres', q{
  SELECT format('REINDEX INDEX %s;', c.oid::regclass)
    FROM pg_class c JOIN pg_am a ON a.oid = c.relam
   WHERE c.relkind = 'i' AND a.amname IN ('hnsw', 'ivfflat')});
is(scalar(split /\n/, $reindex), scalar(keys %queries), "the README's query lists every vector index");
$new->safe_psql('postgres', $reindex);
for my $index (sort keys %queries) {
  is($new->safe_psql('postgres', "SET enable_seqscan = off; $settings $queries{$index}"), $exact{$index},
     "after REINDEX: $index answers as an exact scan");
  like($new->safe_psql('postgres', "SET enable_seqscan = off; EXPLAIN (COSTS OFF) $queries{$index}"),
       qr/Index Scan using $index /, "... through $index");
}

$new->safe_psql('postgres', 'ALTER EXTENSION vector UPDATE');
like($new->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'vector'"),
     qr/^0\.8\.0-vecsim-/, "ALTER EXTENSION vector UPDATE makes it vecsim's version");
for my $index (qw(items_v items_h items_s items_b items_expr items_part)) {
  is($new->safe_psql('postgres',
       "SELECT violations = 0 AND unreachable = 0 AND count_matches FROM vecsim_hnsw_verify('$index')"),
     't', "$index verifies clean");
}
for my $index (qw(items_ivf items_ivf_part)) {
  is($new->safe_psql('postgres',
       "SELECT missing = 0 AND duplicates = 0 FROM vecsim_ivfflat_verify('$index')"),
     't', "$index verifies clean");
}
$new->safe_psql('postgres', q{
  ALTER TABLE items ADD COLUMN c int;
  UPDATE items SET c = id % 10;
  CREATE INDEX items_vc ON items USING hnsw (v vector_l2_ops, c);
});
is($new->safe_psql('postgres', q{
     SET enable_seqscan = off; SET hnsw.ef_search = 1000;
     SELECT count(*) FROM (SELECT id FROM items WHERE c = 3 ORDER BY v <-> '[1,0,0,0]' LIMIT 100) t}),
   '40', "vecsim's filter columns work after the update");

$new->stop;
done_testing();
