// Preloaded into a benchmark's server process (`--import <this file>`, see BENCH_PROFILE in the benches):
// SIGUSR2 starts a CPU profile, the next SIGUSR2 stops it and writes it to $BENCH_PROFILE_DIR, so that a
// profile covers one measured step only, not the set-up before it. BENCH_PROFILE_KIND=heap samples the
// allocations instead (collected ones included), to find what keeps the garbage collector busy.
import { Session } from 'node:inspector';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR ?? 'bench-profiles';
const session = new Session();
session.connect();
let running = false;
let n = 0;
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));

const heap = process.env.BENCH_PROFILE_KIND === 'heap';

process.on('SIGUSR2', () => {
  void (async () => {
    if (heap) {
      if (!running) {
        running = true;
        await post('HeapProfiler.enable');
        await post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
        return;
      }
      running = false;
      const { profile } = await post('HeapProfiler.stopSampling');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `step-${process.pid}-${++n}.heapprofile`), JSON.stringify(profile));
      return;
    }
    if (!running) {
      running = true;
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 500 });
      await post('Profiler.start');
      return;
    }
    running = false;
    const { profile } = await post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `step-${process.pid}-${++n}.cpuprofile`), JSON.stringify(profile));
  })();
});
