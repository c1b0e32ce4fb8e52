/* CP0 identification and reset values as the guest sees them on the mipssim board: PRId,
 * Config0-3, EBase, Status after start.S, Wired, PageMask, IntCtl, the Random range, and
 * the writable bits of Status, Cause, EntryHi, PageMask, Wired, Context and EBase. */
#include "lib.h"

int main(void)
{
    puts_("cp0: identification\n");
    put_kv("prid", mfc0(15, 0));
    put_kv("config0", mfc0(16, 0));
    put_kv("config1", mfc0(16, 1));
    put_kv("config2", mfc0(16, 2));
    put_kv("config3", mfc0(16, 3));
    put_kv("ebase", mfc0(15, 1));
    put_kv("status", mfc0(12, 0));
    put_kv("cause", mfc0(13, 0) & ~0x40000000u);
    put_kv("wired", mfc0(6, 0));
    put_kv("pagemask", mfc0(5, 0));
    put_kv("entryhi", mfc0(10, 0));
    put_kv("intctl", mfc0(12, 1));
    put_kv("srsctl", mfc0(12, 2));
    put_kv("hwrena", mfc0(7, 0));
    u32 r = mfc0(1, 0);
    puts_("random in [wired, 15]: ");
    puts_(r <= 15 ? "yes\n" : "no\n");

    puts_("cp0: writable bits\n");
    mtc0(12, 0, 0xffffffe0u & ~C0_STATUS_BEV);  /* keep kernel mode, IE/EXL/ERL clear */
    put_kv("status(all ones)", mfc0(12, 0));
    mtc0(12, 0, 0);
    put_kv("status(zero)", mfc0(12, 0));
    mtc0(13, 0, 0xffffffffu);
    put_kv("cause(all ones)", mfc0(13, 0) & ~0x40000000u);
    mtc0(13, 0, 0);
    mtc0(10, 0, 0xffffffffu);
    put_kv("entryhi(all ones)", mfc0(10, 0));
    mtc0(10, 0, 0);
    mtc0(5, 0, 0xffffffffu);
    put_kv("pagemask(all ones)", mfc0(5, 0));
    mtc0(5, 0, 0);
    mtc0(2, 0, 0xffffffffu);
    put_kv("entrylo0(all ones)", mfc0(2, 0));
    mtc0(3, 0, 0xffffffffu);
    put_kv("entrylo1(all ones)", mfc0(3, 0));
    mtc0(0, 0, 0xffffffffu);
    put_kv("index(all ones)", mfc0(0, 0));
    mtc0(4, 0, 0xffffffffu);
    put_kv("context(all ones)", mfc0(4, 0));
    mtc0(6, 0, 5);
    put_kv("wired(5)", mfc0(6, 0));
    r = mfc0(1, 0);
    puts_("random in [5, 15]: ");
    puts_(r >= 5 && r <= 15 ? "yes\n" : "no\n");
    mtc0(6, 0, 0);
    mtc0(15, 1, 0xffffffffu);
    put_kv("ebase(all ones)", mfc0(15, 1));
    mtc0(15, 1, 0x80000000u);
    mtc0(11, 0, 0x12345678u);
    put_kv("compare", mfc0(11, 0));
    mtc0(9, 0, 0x1000u);
    u32 c = mfc0(9, 0);
    puts_("count runs from what was written: ");
    puts_(c >= 0x1000u && c < 0x100000u ? "yes\n" : "no\n");
    mtc0(14, 0, 0x80001234u);
    put_kv("epc", mfc0(14, 0));
    mtc0(30, 0, 0x80005678u);
    put_kv("errorepc", mfc0(30, 0));
    mtc0(8, 0, 0x1234u);
    put_kv("badvaddr(read-only)", mfc0(8, 0));
    mtc0(4, 2, 0xcafef00du);
    put_kv("userlocal", mfc0(4, 2));
    puts_("cp0: done\n");
    return 0;
}
