// What a benchmark ran on: numbers without the machine are not comparable with anything.

import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
  };
}

/** os.cpus() reports a bare family name on some VMs; /proc/cpuinfo usually has the full one. */
function cpuModel(): string {
  const fromOs = os.cpus()[0]?.model?.trim() ?? '';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    const fromProc = line?.split(':')[1]?.trim() ?? '';
    return fromProc.length > fromOs.length ? fromProc : fromOs || 'unknown';
  } catch {
    return fromOs || 'unknown';
  }
}

/** 1-minute load average: on a shared box, numbers taken under load are not comparable. */
export function loadAverage(): number {
  return os.loadavg()[0];
}

export function describeMachine(m: MachineInfo, extra: Record<string, string> = {}): string {
  const lines = [
    `CPU: ${m.cpu}, ${m.cores} cores`,
    `Memory: ${m.memoryGiB.toFixed(1)} GiB`,
    `OS: ${m.os}`,
    `Node: ${m.node}`,
    ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
  ];
  return lines.join('\n');
}
