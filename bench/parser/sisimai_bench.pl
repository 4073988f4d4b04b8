#!/usr/bin/perl
# Side-by-side reference: how many of the same reports per second Debian's
# libsisimai-perl (Sisimai) analyses, in CPU time. Usage: sisimai_bench.pl SECONDS FILE...
use strict;
use warnings;
use Sisimai;

my $seconds = shift @ARGV or die "usage: $0 SECONDS FILE...\n";
for my $file (@ARGV) {
    open(my $in, '<:raw', $file) or die "cannot read $file: $!\n";
    my $text = do { local $/; <$in> };
    close $in;

    my $found = Sisimai->make(\$text) // [];
    my $first = $found->[0];
    my $what = $first ? sprintf('%s %s', $first->recipient->address, $first->reason) : 'nothing';

    # CPU seconds of this process, as Google Benchmark counts ours: the
    # machine's other load does not enter either figure.
    my $cpu = sub { my ($user, $system) = times; return $user + $system };
    my ($runs, $start) = (0, $cpu->());
    while ($cpu->() - $start < $seconds) {
        Sisimai->make(\$text);
        $runs++;
    }
    my $elapsed = $cpu->() - $start;
    printf "%-12s %9d bytes  %10.1f reports/s  (found: %s)\n",
        $file =~ s{.*/}{}r, length $text, $runs / $elapsed, $what;
}
