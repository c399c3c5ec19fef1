import { describe, expect, it } from 'vitest';
import { Serial } from './serial';

describe('Serial', () => {
  it('runs jobs one at a time in call order; a failure reaches its caller and the next job still runs', async () => {
    const serial = new Serial();
    const log: string[] = [];
    let active = 0;
    const job = (name: string, ms: number, fail = false) => async (): Promise<string> => {
      active += 1;
      expect(active).toBe(1);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      active -= 1;
      if (fail) throw new Error(name);
      return name;
    };
    const a = serial.run(job('a', 20));
    const b = serial.run(job('b', 1, true));
    const c = serial.run(job('c', 5));
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b');
    await expect(c).resolves.toBe('c');
    await serial.idle();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});
