# test/t/VecsimStandby.pm
# What the replication TAP tests (005, 008, 012) share: a primary that
# checks every generic WAL record against the page it rebuilds
# (wal_consistency_checking), and a streaming standby made from its backup.
package VecsimStandby;
use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;

our @EXPORT = qw(primary_with_standby);

# ($primary, $standby), both started, named "${name}primary" and
# "${name}standby"; $extra_conf is appended to the primary's configuration.
sub primary_with_standby {
  my ($name, $extra_conf) = @_;
  my $primary = PostgreSQL::Test::Cluster->new("${name}primary");
  $primary->init(allows_streaming => 1);
  $primary->append_conf('postgresql.conf', "wal_consistency_checking = 'Generic'\n" . ($extra_conf // ''));
  $primary->start;
  $primary->backup('backup');
  my $standby = PostgreSQL::Test::Cluster->new("${name}standby");
  $standby->init_from_backup($primary, 'backup', has_streaming => 1);
  $standby->start;
  return ($primary, $standby);
}

1;
