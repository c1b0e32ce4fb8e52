# bench/scripts/bench.pl N: hashes, string operations, regular expressions, sorting and
# integer arithmetic in Perl. Prints checksums that depend on every step.
use strict;
use warnings;

my $n = $ARGV[0] // 200000;
my %count;
my $acc = 0;
for my $i (1 .. $n) {
    my $key = sprintf("k%04d", ($i * 7919) % 5003);
    $count{$key}++;
    $acc = ($acc * 33 + length($key) + $i) % 1000000007;
}
my @keys = sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count;
my $text = join(",", @keys[0 .. 99]);
my $matches = () = $text =~ /k\d\d(\d)[13579]/g;
my $joined = "";
for my $i (1 .. $n / 10) {
    $joined .= chr(97 + ($i * 13) % 26);
    $joined = reverse(substr($joined, 0, 30)) if length($joined) > 60;
}
print scalar(keys %count), " $acc $matches $keys[0] $joined\n";
