/* lx106 guest "fsm": table-driven state machines. A lexer driven by a
 * character-class table and a state x class transition table (indexed loads,
 * l8ui/l16ui), a shunting-yard parser producing bytecode, and a stack VM whose
 * dispatch is a dense switch (jump table through a literal) plus a table of
 * function pointers for binary operators (callx0). Built with -O2 and -Os.
 * Exits 0 when the self checks pass, 1 otherwise. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum cls { C_SPACE, C_DIGIT, C_ALPHA, C_OP, C_LPAR, C_RPAR, C_OTHER, C_END, NCLS };
enum state { S_START, S_NUM, S_IDENT, S_OP, S_LPAR, S_RPAR, S_ERR, NSTATE };
#define EMIT 0x80 /* flag: the token ends before this character */

static const uint8_t trans[NSTATE][NCLS] = {
    /*            space          digit          alpha            op            (             )            other        end */
    [S_START] = {S_START,       S_NUM,         S_IDENT,         S_OP,         S_LPAR,       S_RPAR,       S_ERR,       S_START},
    [S_NUM]   = {S_START|EMIT,  S_NUM,         S_ERR,           S_OP|EMIT,    S_ERR,        S_RPAR|EMIT,  S_ERR,       S_START|EMIT},
    [S_IDENT] = {S_START|EMIT,  S_IDENT,       S_IDENT,         S_OP|EMIT,    S_ERR,        S_RPAR|EMIT,  S_ERR,       S_START|EMIT},
    [S_OP]    = {S_START|EMIT,  S_NUM|EMIT,    S_IDENT|EMIT,    S_OP|EMIT,    S_LPAR|EMIT,  S_ERR,        S_ERR,       S_ERR},
    [S_LPAR]  = {S_START|EMIT,  S_NUM|EMIT,    S_IDENT|EMIT,    S_OP|EMIT,    S_LPAR|EMIT,  S_ERR,        S_ERR,       S_ERR},
    [S_RPAR]  = {S_START|EMIT,  S_ERR,         S_ERR,           S_OP|EMIT,    S_ERR,        S_RPAR|EMIT,  S_ERR,       S_START|EMIT},
    [S_ERR]   = {S_ERR,         S_ERR,         S_ERR,           S_ERR,        S_ERR,        S_ERR,        S_ERR,       S_ERR},
};

static uint8_t classify(char c)
{
    static uint8_t table[128];
    if (!table['0']) {
        for (int i = 0; i < 128; i++) table[i] = C_OTHER;
        for (int i = '0'; i <= '9'; i++) table[i] = C_DIGIT;
        for (int i = 'a'; i <= 'z'; i++) table[i] = table[i - 32] = C_ALPHA;
        table[' '] = table['\t'] = C_SPACE;
        table['+'] = table['-'] = table['*'] = table['/'] = table['%'] = table['^'] = table['&'] = C_OP;
        table['('] = C_LPAR;
        table[')'] = C_RPAR;
    }
    return c == 0 ? C_END : (unsigned char)c < 128 ? table[(unsigned char)c] : C_OTHER;
}

enum op { OP_PUSH, OP_VAR, OP_BIN, OP_END };
struct insn { uint8_t op, arg; int32_t val; };

static int prec(char o) { return o == '+' || o == '-' ? 1 : o == '&' || o == '^' ? 0 : 2; }

static int32_t op_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static int32_t op_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
static int32_t op_mul(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }
static int32_t op_div(int32_t a, int32_t b) { return b ? a / b : 0; }
static int32_t op_mod(int32_t a, int32_t b) { return b ? a % b : 0; }
static int32_t op_xor(int32_t a, int32_t b) { return a ^ b; }
static int32_t op_and(int32_t a, int32_t b) { return a & b; }
static int32_t (*const binops[])(int32_t, int32_t) = {op_add, op_sub, op_mul, op_div, op_mod, op_xor, op_and};
static const char opchars[] = "+-*/%^&";

/* Lex and parse `src` into bytecode; returns instruction count or -1. */
static int compile(const char *src, struct insn *code)
{
    char ops[32];
    int nops = 0, n = 0, start = 0;
    uint8_t st = S_START;
    for (int i = 0;; i++) {
        uint8_t next = trans[st][classify(src[i])];
        if (next == S_ERR) return -1;
        if (next & EMIT) { /* the token in state `st` is src[start..i) */
            char first = src[start];
            switch (st) {
            case S_NUM: {
                int32_t v = 0;
                for (int k = start; k < i; k++) v = v * 10 + (src[k] - '0');
                code[n++] = (struct insn){OP_PUSH, 0, v};
                break;
            }
            case S_IDENT: code[n++] = (struct insn){OP_VAR, (uint8_t)(first | 32), 0}; break;
            case S_OP:
                while (nops && ops[nops - 1] != '(' && prec(ops[nops - 1]) >= prec(first))
                    code[n++] = (struct insn){OP_BIN, (uint8_t)(strchr(opchars, ops[--nops]) - opchars), 0};
                ops[nops++] = first;
                break;
            case S_LPAR: ops[nops++] = '('; break;
            case S_RPAR:
                while (nops && ops[nops - 1] != '(')
                    code[n++] = (struct insn){OP_BIN, (uint8_t)(strchr(opchars, ops[--nops]) - opchars), 0};
                if (!nops) return -1;
                nops--;
                break;
            default: break;
            }
        }
        if ((next & EMIT) || st == S_START) start = i; /* a new token may begin here */
        st = next & ~EMIT;
        if (!src[i]) break;
    }
    while (nops) {
        if (ops[nops - 1] == '(') return -1;
        code[n++] = (struct insn){OP_BIN, (uint8_t)(strchr(opchars, ops[--nops]) - opchars), 0};
    }
    code[n++] = (struct insn){OP_END, 0, 0};
    return n;
}

static int32_t run(const struct insn *code, const int32_t vars[26])
{
    int32_t stack[32];
    int sp = 0;
    for (;; code++) {
        switch (code->op) {
        case OP_PUSH: stack[sp++] = code->val; break;
        case OP_VAR: stack[sp++] = vars[code->arg - 'a']; break;
        case OP_BIN: sp--; stack[sp - 1] = binops[code->arg](stack[sp - 1], stack[sp]); break;
        case OP_END: return sp == 1 ? stack[0] : -999999;
        }
    }
}

int main(void)
{
    static const struct { const char *src; int32_t want; } cases[] = {
        {"1 + 2 * 3", 7},          {"(1+2)*3", 9},         {"100 / 7 % 4", 2},
        {"x*x - 2*x + 1", 484},    {"(a+b)*(a-b)", -1},    {"255 & 1000 ^ 3", 235},
        {"((((42))))", 42},        {"2*(3+4)*(5-1)/7", 8}, {"Z - z + y*10", 240},
    };
    int32_t vars[26];
    struct insn code[64];
    int ok = 1;
    for (int i = 0; i < 26; i++) vars[i] = i;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = compile(cases[i].src, code);
        int32_t v = n > 0 ? run(code, vars) : -1;
        printf("%-18s = %6" PRId32 " (%d insns)%s\n", cases[i].src, v, n, v == cases[i].want ? "" : " MISMATCH");
        ok &= v == cases[i].want;
    }
    ok &= compile("1 + $", code) < 0 && compile("(1+2", code) < 0 && compile("1+2)", code) < 0;
    printf("%s\n", ok ? "fsm ok" : "fsm FAILED");
    return ok ? 0 : 1;
}
