# bench/scripts/loop.bash N: shell arithmetic and string operations in bash's own builtins
# (no external commands), the interpreter-style workload of bench/run.sh. Prints a checksum
# that depends on every iteration.
n=${1:-100000}
s=0
word=""
count=0
for ((i = 1; i <= n; i++)); do
    ((s = (s * 31 + i * i + (i % 7)) % 1000003))
    word="$word${i: -1}"
    if ((${#word} > 40)); then
        word=${word:20}
        word=${word//3/x}
        ((count += ${#word}))
    fi
    case $word in
        *x9*) ((s += 3)) ;;
    esac
done
echo "$s $count $word"
