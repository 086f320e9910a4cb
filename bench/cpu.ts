import { readFileSync } from 'node:fs';
import { now } from './stats';

/**
 * CPU time per process between two snapshots: this process (it hosts the API, the worker and the load
 * generator) by process.cpuUsage(), each server by utime + stime in /proc/<pid>/stat, and the whole
 * machine by /proc/stat, so that CPU taken by anything else running meanwhile shows too.
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux

export interface Snapshot {
  at: number;
  benchUs: number;
  servers: Record<string, number>;
  machineBusyMs: number;
}

export interface CpuDelta {
  wallMs: number;
  /** ms of CPU by process name: 'bench' and each server. */
  procs: Record<string, number>;
  /** Busy CPU ms of the whole machine minus what the processes above used. */
  othersMs: number;
}

function procTicks(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
  } catch {
    return NaN;
  }
}

function machineBusyMs(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return (user + nice + system + irq + softirq + steal) * TICK_MS;
  } catch {
    return NaN;
  }
}

export class CpuMeter {
  constructor(private readonly pids: Record<string, number | undefined>) {}

  snapshot(): Snapshot {
    const u = process.cpuUsage();
    const servers: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) servers[name] = procTicks(pid) * TICK_MS;
    return { at: now(), benchUs: u.user + u.system, servers, machineBusyMs: machineBusyMs() };
  }

  static delta(a: Snapshot, b: Snapshot): CpuDelta {
    const procs: Record<string, number> = { bench: (b.benchUs - a.benchUs) / 1000 };
    for (const name of Object.keys(a.servers)) procs[name] = b.servers[name]! - a.servers[name]!;
    const ours = Object.values(procs).reduce((s, x) => s + (Number.isFinite(x) ? x : 0), 0);
    return { wallMs: b.at - a.at, procs, othersMs: Math.max(0, b.machineBusyMs - a.machineBusyMs - ours) };
  }

  /** Runs fn and returns its result with the CPU it (and everything else meanwhile) took. */
  async measure<T>(fn: () => Promise<T>): Promise<{ result: T; cpu: CpuDelta }> {
    const a = this.snapshot();
    const result = await fn();
    return { result, cpu: CpuMeter.delta(a, this.snapshot()) };
  }
}

/** "bench 12% · temporal 3% · ferretdb 1% (others 40%)": share of one core over the delta's wall time. */
export function describeCpuShare(d: CpuDelta): string {
  const pct = (ms: number) => `${((100 * ms) / d.wallMs).toFixed(1)}%`;
  return [
    ...Object.entries(d.procs).map(([name, ms]) => `${name} ${pct(ms)}`),
    `(rest of machine ${pct(d.othersMs)})`,
  ].join(' · ');
}
