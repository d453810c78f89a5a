#!/usr/bin/perl
# Decode every file named on the command line with Sisimai (4.25: make; 5.x: rise)
# and print one count line, so the benchmark can time the whole process.
use strict;
use warnings;
use Sisimai;

my $method = Sisimai->can('rise') ? 'rise' : 'make';
my $count = 0;
for my $path (@ARGV) {
    my $data = Sisimai->$method($path) || [];
    $count += scalar @$data;
}
print "$count\n";
