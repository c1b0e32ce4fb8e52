# bench/scripts/bench.py N: dictionaries, lists, strings, integer arithmetic and function
# calls in Python. Prints checksums that depend on every step.
import sys


def collatz(x):
    steps = 0
    while x != 1:
        x = x // 2 if x % 2 == 0 else 3 * x + 1
        steps += 1
    return steps


n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
counts = {}
acc = 0
for i in range(1, n + 1):
    key = "k%04d" % ((i * 7919) % 5003)
    counts[key] = counts.get(key, 0) + 1
    acc = (acc * 33 + len(key) + i) % 1000000007
top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:100]
words = ",".join(k for k, _ in top)
longest = max(range(1, n // 10 + 1), key=collatz)
squares = sum(v * v for v in counts.values())
print(len(counts), acc, words.count("1"), longest, squares)
