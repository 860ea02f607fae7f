import { describe, expect, it } from 'vitest';
import { assignInfraEvents, PhaseChaos } from './chaos.js';
import type { ChaosControls } from './system.js';

function fakeControls(log: string[]): ChaosControls {
  return {
    killRandomWorker: async () => void log.push('kill'),
    restartRedis: async (keep) => void log.push(keep ? 'redis' : 'redis-empty'),
    restartPostgres: async () => void log.push('postgres'),
    restartS3: async () => void log.push('s3'),
  };
}

describe('assignInfraEvents', () => {
  it('spreads the one-off events over the phases, worker kills aside', () => {
    expect(
      assignInfraEvents(
        ['worker-sigkill', 'redis-restart', 'redis-restart-empty', 'postgres-restart', 's3-restart'],
        3,
      ),
    ).toEqual([['redis-restart', 's3-restart'], ['redis-restart-empty'], ['postgres-restart']]);
  });
});

describe('PhaseChaos', () => {
  it('kills a worker at least once in a phase shorter than --kill-every, and fires its one-off events', async () => {
    const actions: string[] = [];
    let done = 0;
    const chaos = new PhaseChaos({
      controls: fakeControls(actions),
      workers: 1,
      infra: ['redis-restart-empty'],
      killEveryMs: 3_600_000,
      maxKills: 1,
      random: () => 0,
      progress: () => ({ done, total: 10 }),
      log: () => {},
    });
    const progressing = setInterval(() => {
      done = Math.min(10, done + 1);
    }, 100);
    await new Promise((r) => setTimeout(r, 2_000));
    const events = await chaos.finish();
    clearInterval(progressing);
    expect(actions.sort()).toEqual(['kill', 'redis-empty']);
    expect(events.map((e) => e.kind).sort()).toEqual(['redis-restart-empty', 'worker-sigkill']);
    for (const event of events) expect(event.recoveredMs).toEqual(expect.any(Number));
  });
});
