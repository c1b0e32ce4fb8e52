#!/usr/bin/env python3
"""QMP and HMP conformance: drives a monitor with QEMU's own Python client (qemu.qmp, unchanged)
and with raw sockets, and checks what QEMU 7.2 answers. Every check runs against either
emulator, so running it with --emulator qemu proves the expectations on qemu-system-mips itself
(the differential oracle) and --emulator specemu checks specemu against them.

usage: qmp_conformance.py --emulator specemu --specemu PATH [TEST...]
       qmp_conformance.py --emulator qemu [TEST...]

Prints one line per test ("PASS name" / "FAIL name: why") and a closing
"N passed, N failed" line; exits 1 when any test failed. Every wait is bounded.
"""

import argparse
import asyncio
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time
import traceback

from qemu.qmp import ExecuteError, QMPClient

TIMEOUT = 10.0


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def eq(got, want, what):
    if got != want:
        raise Fail(f"{what}: got {got!r}, want {want!r}")


class Emulator:
    """One emulator process with a QMP socket (unix unless tcp=True)."""

    def __init__(self, args, extra_monitors=(), tcp=False, stdin=subprocess.DEVNULL):
        self.dir = tempfile.mkdtemp(prefix="qmp-test-")
        if tcp:
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            self.address = ("127.0.0.1", probe.getsockname()[1])
            probe.close()
            qmp = f"tcp:127.0.0.1:{self.address[1]},server=on,wait=off"
        else:
            self.address = os.path.join(self.dir, "qmp.sock")
            qmp = f"unix:{self.address},server=on,wait=off"
        cmd = list(BASE_CMD) + ["-qmp", qmp]
        for i, kind in enumerate(extra_monitors):
            path = os.path.join(self.dir, f"extra{i}.sock")
            cmd += [kind, f"unix:{path},server=on,wait=off"]
        self.extra = [os.path.join(self.dir, f"extra{i}.sock") for i in range(len(extra_monitors))]
        cmd += args
        self.proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.wait_listening(self.address)

    def wait_listening(self, address):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Fail(f"emulator exited early ({self.proc.returncode}): {self.proc.stderr.read().decode()}")
            try:
                s = connect_raw(address)
                s.close()
                # That connection took the (one-client) socket for a moment; let it go.
                time.sleep(0.1)
                return
            except OSError:
                time.sleep(0.05)
        raise Fail(f"nothing listens on {address}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def connect_raw(address):
    if isinstance(address, tuple):
        s = socket.create_connection(address, timeout=TIMEOUT)
    else:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(TIMEOUT)
        s.connect(address)
    return s


class Raw:
    """A hand-driven QMP connection for what a well-behaved client never sends."""

    def __init__(self, address):
        self.sock = connect_raw(address)
        self.buf = b""

    def line(self):
        deadline = time.time() + TIMEOUT
        while b"\n" not in self.buf:
            left = deadline - time.time()
            r, _, _ = select.select([self.sock], [], [], max(0, left))
            if not r:
                raise Fail(f"no reply within {TIMEOUT}s (have {self.buf!r})")
            d = self.sock.recv(65536)
            if not d:
                raise Fail(f"connection closed (have {self.buf!r})")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def reply(self):
        """The next message that is not an event."""
        while True:
            m = self.line()
            if "event" not in m:
                return m

    def send(self, raw):
        self.sock.sendall(raw if isinstance(raw, bytes) else raw.encode())

    def close(self):
        self.sock.close()


async def client(address):
    qmp = QMPClient("conformance")
    await asyncio.wait_for(qmp.connect(address), TIMEOUT)
    return qmp


async def execute(qmp, cmd, args=None):
    return await asyncio.wait_for(qmp.execute(cmd, args), TIMEOUT)


async def expect_error(qmp, cmd, args, cls, desc):
    try:
        r = await execute(qmp, cmd, args)
    except ExecuteError as e:
        eq(e.error_class, cls, f"{cmd} error class")
        eq(str(e), desc, f"{cmd} error text")
        return
    raise Fail(f"{cmd} succeeded ({r!r}); want {cls}: {desc}")


async def next_event(listener, name):
    ev = await asyncio.wait_for(listener.get(), TIMEOUT)
    eq(ev["event"], name, "event")
    ts = ev["timestamp"]
    check(isinstance(ts["seconds"], int) and isinstance(ts["microseconds"], int), f"timestamp {ts!r}")
    check(abs(ts["seconds"] - time.time()) < 60, f"timestamp {ts!r} is not now")
    return ev


async def status(qmp):
    return await execute(qmp, "query-status")


# ---------------------------------------------------------------------------------------------
# Tests. Each gets a fresh emulator.


def test_greeting_and_negotiation():
    emu = Emulator(["-M", "none"])
    try:
        raw = Raw(emu.address)
        g = raw.line()
        eq(sorted(g), ["QMP"], "greeting keys")
        eq(sorted(g["QMP"]), ["capabilities", "version"], "greeting QMP keys")
        eq(g["QMP"]["capabilities"], ["oob"], "capabilities")
        eq(sorted(g["QMP"]["version"]), ["package", "qemu"], "version keys")
        eq(sorted(g["QMP"]["version"]["qemu"]), ["major", "micro", "minor"], "version triple")
        check(all(isinstance(v, int) for v in g["QMP"]["version"]["qemu"].values()), "integer version")
        raw.send('{"execute": "query-status"}\n')
        eq(raw.reply(), {"error": {"class": "CommandNotFound",
                                   "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}},
           "command before negotiation")
        raw.send('{"execute": "qmp_capabilities", "id": "neg"}\n')
        eq(raw.reply(), {"return": {}, "id": "neg"}, "negotiation")
        raw.send('{"execute": "qmp_capabilities"}\n')
        eq(raw.reply(), {"error": {"class": "CommandNotFound",
                                   "desc": "Capabilities negotiation is already complete, command ignored"}},
           "second negotiation")
        raw.send('{"execute": "query-status", "id": {"a": [1, 2.5, null]}}\n')
        eq(raw.reply(), {"return": {"status": "running", "singlestep": False, "running": True},
                         "id": {"a": [1, 2.5, None]}}, "id echoed")
        raw.close()
    finally:
        emu.stop()


def test_preconfig_flow():
    emu = Emulator(["-M", "none", "--preconfig"])

    async def go():
        qmp = await client(emu.address)
        eq(await status(qmp), {"status": "prelaunch", "singlestep": False, "running": False}, "preconfig status")
        await expect_error(qmp, "cont", None, "GenericError",
                           "The command 'cont' is permitted only after machine initialization has completed")
        await expect_error(qmp, "query-cpus-fast", None, "GenericError",
                           "The command 'query-cpus-fast' is permitted only after machine initialization has completed")
        await expect_error(qmp, "human-monitor-command", {"command-line": "info status"}, "GenericError",
                           "The command 'human-monitor-command' is permitted only after machine initialization "
                           "has completed")
        check("qemu" in await execute(qmp, "query-version"), "query-version works in preconfig")
        with qmp.listener(("RESUME",)) as resumed:
            eq(await execute(qmp, "x-exit-preconfig"), {}, "x-exit-preconfig")
            await next_event(resumed, "RESUME")
        eq((await status(qmp))["status"], "running", "status after x-exit-preconfig")
        eq(await execute(qmp, "cont"), {}, "cont")
        eq(await status(qmp), {"status": "running", "singlestep": False, "running": True}, "running")
        await expect_error(qmp, "x-exit-preconfig", None, "GenericError",
                           "The command is permitted only before machine initialization")
        await qmp.disconnect()

    try:
        asyncio.run(go())
    finally:
        emu.stop()


def test_preconfig_with_S():
    emu = Emulator(["-M", "none", "--preconfig", "-S"])

    async def go():
        qmp = await client(emu.address)
        eq(await execute(qmp, "x-exit-preconfig"), {}, "x-exit-preconfig")
        eq((await status(qmp))["status"], "prelaunch", "-S keeps prelaunch after x-exit-preconfig")
        with qmp.listener(("RESUME",)) as resumed:
            eq(await execute(qmp, "cont"), {}, "cont")
            await next_event(resumed, "RESUME")
        eq(await status(qmp), {"status": "running", "singlestep": False, "running": True}, "running")
        await qmp.disconnect()

    try:
        asyncio.run(go())
    finally:
        emu.stop()


def test_S_flow():
    emu = Emulator(["-M", "none", "-S"])

    async def go():
        qmp = await client(emu.address)
        eq(await status(qmp), {"status": "prelaunch", "singlestep": False, "running": False}, "-S status")
        eq(await execute(qmp, "stop"), {}, "stop in prelaunch")
        eq((await status(qmp))["status"], "prelaunch", "stop leaves prelaunch alone")
        with qmp.listener(("RESUME",)) as resumed:
            eq(await execute(qmp, "cont"), {}, "cont")
            await next_event(resumed, "RESUME")
        eq((await status(qmp))["running"], True, "running after cont")
        await qmp.disconnect()

    try:
        asyncio.run(go())
    finally:
        emu.stop()


def test_stop_cont_events():
    emu = Emulator(["-M", "none"])

    async def go():
        qmp = await client(emu.address)
        with qmp.listener() as events:
            eq(await execute(qmp, "stop"), {}, "stop")
            ev = await next_event(events, "STOP")
            check("data" not in ev, "STOP has no data")
            eq(await status(qmp), {"status": "paused", "singlestep": False, "running": False}, "paused")
            eq(await execute(qmp, "stop"), {}, "second stop")
            eq(await execute(qmp, "cont"), {}, "cont")
            await next_event(events, "RESUME")
            eq(await execute(qmp, "cont"), {}, "cont while running")
            eq(await execute(qmp, "system_reset"), {}, "system_reset")
            ev = await next_event(events, "RESET")
            eq(ev["data"], {"guest": False, "reason": "host-qmp-system-reset"}, "RESET data")
            # The second stop and cont changed nothing, so no event came from them.
            check(events.empty(), "no further events")
        eq((await status(qmp))["status"], "running", "reset keeps running")
        await qmp.disconnect()

    try:
        asyncio.run(go())
    finally:
        emu.stop()


def test_events_reach_every_client():
    emu = Emulator(["-M", "none"], extra_monitors=["-qmp"])

    async def go():
        a = await client(emu.address)
        b = await client(emu.extra[0])
        with a.listener(("STOP",)) as sa, b.listener(("STOP",)) as sb:
            eq(await execute(a, "stop"), {}, "stop")
            await next_event(sa, "STOP")
            await next_event(sb, "STOP")
        await a.disconnect()
        await b.disconnect()

    try:
        asyncio.run(go())
    finally:
        emu.stop()


def test_quit():
    emu = Emulator(["-M", "none"])

    async def go():
        qmp = await client(emu.address)
        with qmp.listener(("SHUTDOWN",)) as down:
            eq(await execute(qmp, "quit"), {}, "quit")
            ev = await next_event(down, "SHUTDOWN")
            eq(ev["data"], {"guest": False, "reason": "host-qmp-quit"}, "SHUTDOWN data")
        try:
            await qmp.disconnect()
        except EOFError:
            pass  # the server may hang up first: it is exiting

    try:
        asyncio.run(go())
        eq(emu.proc.wait(timeout=TIMEOUT), 0, "exit status after quit")
    finally:
        emu.stop()


def test_malformed_input():
    emu = Emulator(["-M", "none"])
    try:
        raw = Raw(emu.address)
        raw.line()
        raw.send('{"execute": "qmp_capabilities"}\n')
        raw.reply()
        generic = lambda desc: {"error": {"class": "GenericError", "desc": desc}}  # noqa: E731
        cases = [
            (b"{bad json}\n", generic("JSON parse error, invalid keyword 'bad'")),
            (b'{"execute":"query-status"}}\n', None),  # a reply, then:
            (b"", generic("JSON parse error, expecting value")),
            (b'{"a":\x01}\n', generic("JSON parse error, stray '\x01'")),
            (b"", generic("JSON parse error, expecting value")),
            (b"[1, 2]\n", generic("QMP input must be a JSON object")),
            (b"42\n", generic("QMP input must be a JSON object")),
            (b'"str"\n', generic("QMP input must be a JSON object")),
            (b"{}\n", generic("QMP input lacks member 'execute'")),
            (b'{"id": 5}\n', {"id": 5, "error": {"class": "GenericError",
                                                  "desc": "QMP input lacks member 'execute'"}}),
            (b'{"foo": 1}\n', generic("QMP input member 'foo' is unexpected")),
            (b'{"execute": 1}\n', generic("QMP input member 'execute' must be a string")),
            (b'{"execute": "query-status", "arguments": []}\n',
             generic("QMP input member 'arguments' must be an object")),
            (b'{"execute": "nope", "id": 7}\n',
             {"id": 7, "error": {"class": "CommandNotFound", "desc": "The command nope has not been found"}}),
            (b'{"execute": "human-monitor-command"}\n', generic("Parameter 'command-line' is missing")),
            (b'{"execute": "human-monitor-command", "arguments": {"command-line": 5}}\n',
             generic("Invalid parameter type for 'command-line', expected: string")),
            (b'{"execute": "human-monitor-command", "arguments": {"command-line": "info status", "cpu-index": "0"}}\n',
             generic("Invalid parameter type for 'cpu-index', expected: integer")),
            (b'{"execute": "human-monitor-command", "arguments": {"command-line": "info status", "x": 1}}\n',
             generic("Parameter 'x' is unexpected")),
            (b'{"execute": "query-status", "arguments": {"x": 1}}\n', generic("Parameter 'x' is unexpected")),
            (b'{"execute": "human-monitor-command", "arguments": {"command-line": "x", "cpu-index": 99}}\n',
             generic("Parameter 'cpu-index' expects a CPU number")),
            # A message may span lines, and a line may hold several.
            (b'{"execute":\n"query-status",\n"id": 1}', {"return": {"status": "running", "singlestep": False,
                                                                    "running": True}, "id": 1}),
        ]
        for data, want in cases:
            if data:
                raw.send(data)
            got = raw.reply()
            if want is not None:
                eq(got, want, f"reply to {data!r}")
        raw.send(b'{"execute":"query-status","id":1}{"execute":"query-status","id":2}\n')
        eq([raw.reply()["id"], raw.reply()["id"]], [1, 2], "two messages on one line")
        raw.close()
    finally:
        emu.stop()


def test_disconnect_mid_message():
    emu = Emulator(["-M", "none"])

    async def go():
        raw = Raw(emu.address)
        raw.line()
        raw.send('{"execute": "qmp_capabilities"}\n')
        raw.reply()
        raw.send('{"execute": "query-st')
        raw.close()
        # The server keeps running and takes the next client.
        qmp = await client(emu.address)
        eq((await status(qmp))["status"], "running", "status from the next client")
        await qmp.disconnect()
        qmp = await client(emu.address)
        eq((await status(qmp))["status"], "running", "and the one after")
        await qmp.disconnect()

    try:
        asyncio.run(go())
        check(emu.proc.poll() is None, "emulator still running")
    finally:
        emu.stop()


def test_tcp_transport():
    emu = Emulator(["-M", "none", "-S"], tcp=True)

    async def go():
        qmp = await client(emu.address)
        eq((await status(qmp))["status"], "prelaunch", "status over tcp")
        await qmp.disconnect()

    try:
        asyncio.run(go())
    finally:
        emu.stop()


def test_qmp_stdio():
    emu = Emulator(["-M", "none", "-qmp", "stdio"], stdin=subprocess.PIPE)
    try:
        fd = emu.proc.stdout.fileno()
        buf = bytearray()

        def line():
            # Our own buffer over the raw descriptor: select() on a buffered file object
            # misses lines the object has already read ahead (the old flakiness).
            deadline = time.monotonic() + TIMEOUT
            while b"\n" not in buf:
                r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
                check(r, "no output on stdio")
                chunk = os.read(fd, 65536)
                check(chunk, "stdout closed")
                buf.extend(chunk)
            i = buf.index(b"\n")
            text = bytes(buf[:i])
            del buf[: i + 1]
            return json.loads(text)

        check("QMP" in line(), "greeting on stdout")
        emu.proc.stdin.write(b'{"execute": "qmp_capabilities"}\n{"execute": "query-status", "id": 3}\n')
        emu.proc.stdin.flush()
        eq(line(), {"return": {}}, "negotiation over stdio")
        eq(line(), {"return": {"status": "running", "singlestep": False, "running": True}, "id": 3}, "status")
    finally:
        emu.stop()


def test_queries():
    emu = Emulator(["-M", "none", "-cpu", "24Kf", "-m", "1"])

    async def go():
        qmp = await client(emu.address)
        cpus = await execute(qmp, "query-cpus-fast")
        eq(len(cpus), 1, "one CPU with -cpu")
        eq(sorted(cpus[0]), ["cpu-index", "qom-path", "target", "thread-id"], "CpuInfoFast members")
        eq((cpus[0]["cpu-index"], cpus[0]["qom-path"], cpus[0]["target"]),
           (0, "/machine/unattached/device[0]", "mips"), "CpuInfoFast")
        machines = {m["name"]: m for m in await execute(qmp, "query-machines")}
        check("none" in machines, "query-machines lists none")
        none = machines["none"]
        eq((none["cpu-max"], none["deprecated"], none["hotpluggable-cpus"], none["numa-mem-supported"]),
           (1, False, False, False), "none's MachineInfo")
        check("is-default" not in none, "none is not the default")
        defs = {d["name"]: d for d in await execute(qmp, "query-cpu-definitions")}
        eq(defs.get("24Kf"), {"name": "24Kf", "typename": "24Kf-mips-cpu", "static": False, "deprecated": False},
           "24Kf definition")
        names = {c["name"] for c in await execute(qmp, "query-commands")}
        schema = await execute(qmp, "query-qmp-schema")
        by_name = {e["name"]: e for e in schema}
        for c in IMPLEMENTED_COMMANDS:
            check(c in names, f"query-commands lists {c}")
            check(by_name.get(c, {}).get("meta-type") == "command", f"schema describes command {c}")
            for key in ("arg-type", "ret-type"):
                check(by_name[c][key] in by_name, f"schema describes {c}'s {key}")
        for e in ("STOP", "RESUME", "RESET", "SHUTDOWN", "POWERDOWN"):
            check(by_name.get(e, {}).get("meta-type") == "event", f"schema describes event {e}")
        status = by_name[by_name["query-status"]["ret-type"]]
        eq([m["name"] for m in status["members"]], ["running", "singlestep", "status"], "StatusInfo members")
        hmc = by_name[by_name["human-monitor-command"]["arg-type"]]
        eq([(m["name"], m["type"], "default" in m) for m in hmc["members"]],
           [("command-line", "str", False), ("cpu-index", "int", True)], "human-monitor-command arguments")
        eq(by_name["human-monitor-command"]["ret-type"], "str", "human-monitor-command returns str")
        await qmp.disconnect()

    try:
        asyncio.run(go())
    finally:
        emu.stop()


def test_hmp_through_qmp():
    emu = Emulator(["-M", "none", "-cpu", "24Kf", "-m", "1", "-S"])

    async def go():
        qmp = await client(emu.address)

        async def hmp(line, **kw):
            return await execute(qmp, "human-monitor-command", {"command-line": line, **kw})

        eq(await hmp("info status"), "VM status: paused (prelaunch)\r\n", "info status")
        eq(await hmp("xp /4xb 0"), "0000000000000000: 0x00 0x00 0x00 0x00\r\n", "xp bytes")
        # The size sticks from the last /FMT (bytes above), so words must be asked for.
        eq(await hmp("xp /2x 0"), "0000000000000000: 0x00 0x00\r\n", "xp size sticks")
        eq(await hmp("xp /2xw 0"), "0000000000000000: 0x00000000 0x00000000\r\n", "xp words")
        eq(await hmp("x /2x 0x80000000", **{"cpu-index": 0}), "80000000: 0x00000000 0x00000000\r\n", "x kseg0")
        eq(await hmp("xp /2x 0xffffc"), "00000000000ffffc: Cannot access memory\r\n", "xp past RAM")
        eq(await hmp("xp /3uh 0"), "0000000000000000:     0     0     0\r\n", "xp unsigned halves")
        eq(re.sub(r"thread_id=\d+", "thread_id=N", await hmp("info cpus")), "* CPU #0: thread_id=N\r\n", "info cpus")
        regs = await hmp("info registers")
        check(regs.startswith("\r\nCPU#0\r\npc=0xbfc00000 HI=0x00000000 LO=0x00000000"), f"info registers: {regs!r}")
        check("GPR28: gp 00000000 sp 00000000 s8 00000000 ra 00000000\r\n" in regs, "info registers GPRs")
        eq(await hmp("bogus"), "unknown command: 'bogus'\r\n", "unknown command")
        eq(await hmp("xp /x"), 'unexpected end of expression\r\nTry "help xp" for more information\r\n',
           "missing address")
        eq(await hmp("help stop"), "stop|s  -- stop emulation\r\n", "help stop")
        with qmp.listener(("RESUME", "STOP")) as events:
            eq(await hmp("cont"), "", "cont")
            await next_event(events, "RESUME")
            eq(await hmp("stop"), "", "stop")
            await next_event(events, "STOP")
        eq(await hmp("info status"), "VM status: paused\r\n", "paused")
        await qmp.disconnect()

    try:
        asyncio.run(go())
    finally:
        emu.stop()


def test_hmp_stdio():
    emu = Emulator(["-M", "none", "-m", "1", "-monitor", "stdio"], stdin=subprocess.PIPE)
    try:
        out, _ = emu.proc.communicate(b"info status\nstop\ninfo status\nxp /2x 0\nbogus\nquit\n", timeout=TIMEOUT)
        eq(emu.proc.returncode, 0, "exit status after quit")
        text = out.decode(errors="replace").replace("\r", "")
        # QEMU echoes input through its line editor; compare the lines the commands printed.
        lines = [re.sub(r"^\(qemu\) .*", "", ln) for ln in text.split("\n")]
        for want in ["VM status: running", "VM status: paused", "0000000000000000: 0x00000000 0x00000000",
                     "unknown command: 'bogus'"]:
            check(want in lines, f"{want!r} in the human monitor's output {text!r}")
        check(" monitor - type 'help' for more information" in text, "banner")
        check("(qemu) " in text, "prompt")
    finally:
        emu.stop()


IMPLEMENTED_COMMANDS = [
    "qmp_capabilities", "query-qmp-schema", "query-commands", "query-status", "x-exit-preconfig", "cont",
    "stop", "system_reset", "system_powerdown", "quit", "query-cpus-fast", "query-version", "query-machines",
    "query-cpu-definitions", "human-monitor-command",
]

TESTS = {name[len("test_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("test_")}
# Tests left out of the default run (run them by name); NOT counted as passing.
DEFAULT_SKIP = set()


def main():
    global BASE_CMD
    ap = argparse.ArgumentParser()
    ap.add_argument("--emulator", choices=["specemu", "qemu"], required=True)
    ap.add_argument("--specemu", help="path of the specemu binary")
    ap.add_argument("tests", nargs="*")
    a = ap.parse_args()
    if a.emulator == "qemu":
        BASE_CMD = ["qemu-system-mips", "-display", "none"]
    else:
        if not a.specemu:
            ap.error("--specemu PATH is needed")
        BASE_CMD = [a.specemu, "system-mips"]
    names = a.tests or [n for n in TESTS if n not in DEFAULT_SKIP]
    for n in sorted(DEFAULT_SKIP - set(a.tests)):
        print(f"NOT RUN {n}: known flaky test (see DEFAULT_SKIP)")
    passed = failed = 0
    for name in names:
        fn = TESTS.get(name)
        if fn is None:
            print(f"FAIL {name}: no such test")
            failed += 1
            continue
        try:
            fn()
            print(f"PASS {name}")
            passed += 1
        except Exception as e:  # noqa: BLE001 - every failure is reported, never fatal
            why = str(e) if isinstance(e, Fail) else traceback.format_exc()
            print(f"FAIL {name}: {why}")
            failed += 1
        sys.stdout.flush()
    print(f"{a.emulator}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


BASE_CMD = []

if __name__ == "__main__":
    main()
