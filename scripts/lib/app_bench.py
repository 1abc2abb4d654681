#!/usr/bin/env python3
"""The desktop app against a bare Tauri app, in one run: launch to painted window, PSS of the
process tree, idle CPU with the window shown and hidden. Run by scripts/bench-app.sh inside a
throwaway keyring session and a virtual display; prints a Markdown table.

Each app is a list of (label, command, environment, accounts it should paint). A launch
counts from spawning the process to its `window painted with N accounts` line on stderr
(read as it is written, so no polling delay is counted); the apps are launched in turn, round
after round, so a busy moment of the machine falls on all of them alike.
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

PAINTED = re.compile(rb"window painted with (\d+) accounts, (\d+) ms after launch")
TICKS = os.sysconf("SC_CLK_TCK")


def tree(root):
    """The pid of root and of every descendant, as /proc shows them now."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_ticks(pids):
    """CPU ticks used so far, by process name."""
    by_name = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index(b"(") + 1 : stat.rindex(b")")].decode(errors="replace")
        fields = stat.rsplit(b")", 1)[1].split()
        by_name[name] = by_name.get(name, 0) + int(fields[11]) + int(fields[12])  # utime, stime
    return by_name


def pss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def launch(command, env, accounts, timeout=180):
    """Starts the app; returns (process, ms from spawn to its painted line, its own figure)."""
    start = time.monotonic()
    process = subprocess.Popen(
        command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True
    )
    deadline = start + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            stop(process)
            raise SystemExit(f"{command[0]} ended before it painted (exit {process.wait()})")
        found = PAINTED.search(line)
        if found and int(found.group(1)) == accounts:
            wall = (time.monotonic() - start) * 1000
            drain(process)
            return process, wall, int(found.group(2))
    stop(process)
    raise SystemExit(f"{command[0]} did not paint {accounts} accounts within {timeout} s")


def drain(process):
    """Keeps reading the app's stderr on a thread, so a full pipe never blocks it."""
    import threading

    threading.Thread(target=lambda: process.stderr.read(), daemon=True).start()


def stop(process):
    """Ends the app's whole process group, asking first."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def idle_percent(pid, seconds):
    """CPU of the process tree over `seconds`, in percent of one core: the total, and by name."""
    before = cpu_ticks(tree(pid))
    time.sleep(seconds)
    after = cpu_ticks(tree(pid))
    by_name = {
        name: (ticks - before.get(name, 0)) / TICKS / seconds * 100 for name, ticks in after.items()
    }
    return sum(by_name.values()), by_name


def hide(pid):
    """Unmaps the app's windows, as closing to the tray does."""
    windows = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    for window in windows:
        subprocess.run(["xdotool", "windowunmap", "--sync", window], check=False)
    return len(windows)


def main():
    config = json.load(sys.stdin)
    rounds, idle, settle = config["rounds"], config["idle_seconds"], config["settle_seconds"]
    apps = config["apps"]
    launches = {app["label"]: [] for app in apps}
    own = {app["label"]: [] for app in apps}
    measured = {}
    for round_ in range(rounds):
        for app in apps:
            env = dict(os.environ, **app.get("env", {}))
            process, wall, figure = launch(app["command"], env, app["accounts"])
            launches[app["label"]].append(wall)
            own[app["label"]].append(figure)
            try:
                if round_ == rounds - 1:
                    time.sleep(settle)
                    shown, shown_by = idle_percent(process.pid, idle)
                    pss = pss_kib(tree(process.pid))
                    hidden_windows = hide(process.pid)
                    time.sleep(settle)
                    hidden, hidden_by = idle_percent(process.pid, idle)
                    measured[app["label"]] = {
                        "shown": shown,
                        "hidden": hidden,
                        "hidden_windows": hidden_windows,
                        "pss": pss,
                        "shown_by": shown_by,
                        "hidden_by": hidden_by,
                    }
            finally:
                stop(process)
            print(
                f"round {round_ + 1}: {app['label']} painted after {wall:.0f} ms",
                file=sys.stderr,
                flush=True,
            )

    reference = apps[0]["label"]
    median = statistics.median
    print(f"\n| app | launch → painted, median of {rounds} (min–max) | the app's own figure |"
          f" PSS of the process tree | idle CPU over {idle} s, window shown | hidden |")
    print("|---|---|---|---|---|---|")
    for app in apps:
        label = app["label"]
        wall, m = launches[label], measured[label]
        ratio = "" if label == reference else \
            f" = {median(wall) / median(launches[reference]):.2f}× bare"
        pss_ratio = "" if label == reference else \
            f" = {m['pss'] / measured[reference]['pss']:.2f}× bare"
        print(
            f"| {label} | {median(wall):.0f} ms ({min(wall):.0f}–{max(wall):.0f}){ratio} |"
            f" {median(own[label]):.0f} ms | {m['pss'] / 1024:.0f} MiB{pss_ratio} |"
            f" {m['shown']:.2f}% | {m['hidden']:.2f}% ({m['hidden_windows']} window(s) unmapped) |"
        )
    print()
    for app in apps:
        m = measured[app["label"]]
        each = lambda by: ", ".join(f"{n} {p:.2f}%" for n, p in sorted(by.items(), key=lambda x: -x[1]))
        print(f"- {app['label']}: idle CPU by process, shown: {each(m['shown_by'])}; "
              f"hidden: {each(m['hidden_by'])}")


if __name__ == "__main__":
    main()
