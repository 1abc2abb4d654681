// Every process an end-to-end test starts is ended by that test, whatever happens: each
// starts as the leader of its own process group, and ending it ends its whole tree (the
// app that tauri-driver's WebKitWebDriver launched, the app's WebKit processes), found
// through /proc before anything is killed. A test file that exits early or throws still
// ends what it started, so the test runner never waits on a leftover holding its output.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

const started = new Set();

process.on("exit", () => {
  for (const child of started) kill(treeOf(child.pid), "SIGKILL");
});

/** `spawn`, in a process group of its own, ended with the test file at the latest. */
export function spawnOwned(command, args, options = {}) {
  const child = spawn(command, args, { ...options, detached: true });
  started.add(child);
  child.on("exit", () => started.delete(child));
  return child;
}

/** Ends `child` and every process under it: SIGTERM, then SIGKILL what is left after 5 s. */
export async function endTree(child) {
  if (!child?.pid) return;
  const tree = treeOf(child.pid);
  kill(tree, "SIGTERM");
  for (let i = 0; i < 50 && tree.some(alive); i++) await sleep(100);
  kill(tree.filter(alive), "SIGKILL");
  started.delete(child);
}

/** The pids of `root`, its process group, and every descendant, as /proc shows them now. */
function treeOf(root) {
  const parents = new Map();
  const groups = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // pid (comm) state ppid pgrp ...: the command may hold spaces and brackets.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(name), Number(ppid));
      groups.set(Number(name), Number(pgrp));
    } catch {
      // gone meanwhile
    }
  }
  const tree = new Set([root]);
  for (const [pid, group] of groups) if (group === root) tree.add(pid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

function kill(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `count` distinct loopback ports that were free a moment ago. */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise((bound, failed) => {
        server.once("error", failed);
        server.listen(0, "127.0.0.1", bound);
      });
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((closed) => server.close(closed))));
  }
}
