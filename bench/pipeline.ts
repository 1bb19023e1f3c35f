/**
 * The main job at the speed of its models. On the album (bench/album-photos.ts: 20 JPEGs of
 * 4032×3024, 1–24 faces, 105 in all) it prints, in one run:
 *
 *  1. `faceblog album` as a user runs it (a new process: start-up, analysis, site): photos/s, peak RSS;
 *  2. the decode + inference bound of the pack: the time of image decoding and model runs alone
 *     (bench/pipeline-bound.ts), on one core and with every core busy at once; our overhead over it;
 *  3. the outside reference: @vladmandic/human 3 (TensorFlow.js, WASM) in one process per thread.
 *
 * Nothing is asserted: a shared machine makes every figure noisy, so run it twice and compare in one run.
 *
 *   npm run -s build && npm run bench:pipeline -- [--threads 2] [--pack local] [--rounds 1] [--no-peer]
 *     [--cli /path/to/other/dist/cli.js ...]   also time other builds (before/after) in the same run
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { repoRoot } from '../test/support/fixtures.js';
import { makeAlbum } from './album-photos.js';
import { type BoundFigures, prepareBound } from './pipeline-bound.js';

const { values } = parseArgs({
  options: {
    /** Passed on to `faceblog album --threads`; unset, the album runs as a user runs it (its default). */
    threads: { type: 'string' },
    pack: { type: 'string', default: process.env.FACEBLOG_MODEL_PACK ?? 'local' },
    rounds: { type: 'string', default: '1' },
    'no-peer': { type: 'boolean', default: false },
    /** Another build's cli.js, e.g. of the previous commit, to compare before and after back to back. */
    cli: { type: 'string', multiple: true },
  },
});
/** Cores the bound and the peer are given: the analyzer threads asked for, else the machine's cores. */
const THREADS = Number(values.threads ?? Math.min(2, availableParallelism()));
const THREAD_ARGS = values.threads === undefined ? [] : ['--threads', values.threads];
const PACK = values.pack;
const ROUNDS = Number(values.rounds);

interface Run {
  readonly code: number | null;
  readonly wallMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, wallMs: performance.now() - t0, stdout, stderr });
    });
  });
}

/** `faceblog album` from dist/ under /usr/bin/time: wall seconds and the process's peak RSS. */
async function wholeProcess(
  dir: string,
  cli = path.join(repoRoot, 'dist/cli.js'),
): Promise<{ seconds: number; rssMb: number; cpuSeconds: number; summary: string; analysisSeconds: number }> {
  const out = await mkdtemp(path.join(tmpdir(), 'faceblog-bench-'));
  try {
    const r = await run(
      '/usr/bin/time',
      ['-f', 'TIME %e %M %U %S', process.execPath, cli, 'album', dir, '--out', out, ...THREAD_ARGS],
      { FACEBLOG_MODEL_PACK: PACK },
    );
    const m = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
    if (r.code !== 0 || !m) throw new Error(`faceblog album failed (${r.code}):\n${r.stderr}`);
    const summary = r.stderr.split('\n').find((l) => /photos, \d+ people/.test(l)) ?? '';
    // The CLI's own line: "20 photos, 36 people, 0 failed in 7.3 s (…)": the analysis alone.
    const analysis = / in ([\d.]+) s \(/.exec(summary);
    return {
      seconds: Number(m[1]),
      rssMb: Number(m[2]) / 1024,
      // user + sys: less disturbed than wall time by other jobs on a shared machine.
      cpuSeconds: Number(m[3]) + Number(m[4]),
      summary: summary.replace(/^faceblog: /, ''),
      analysisSeconds: analysis ? Number(analysis[1]) : Number(m[1]),
    };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/**
 * The bound with every core busy: THREADS processes of bench/pipeline-bound.ts, the photos dealt
 * round-robin, started together once all have loaded their models. The slowest one's decode + inference
 * is the bound: the most photos/s this pack gives on this machine whatever our code around it does.
 */
async function parallelBound(files: readonly string[]) {
  const parts = Array.from({ length: THREADS }, (_, i) => files.filter((_, j) => j % THREADS === i));
  const children = parts.map((part) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'bench/pipeline-bound.ts'), '--pack', PACK, ...part],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  const lines = children.map((child) => {
    const it: AsyncIterator<string> = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    return async () => {
      const next = await it.next();
      if (next.done === true) throw new Error('pipeline-bound ended without its figures');
      return next.value;
    };
  });
  await Promise.all(lines.map((next) => next()));
  for (const child of children) child.stdin.end('go\n');
  const figures = (await Promise.all(lines.map((next) => next()))).map(
    (line) => JSON.parse(line) as BoundFigures,
  );
  const slowest = Math.max(...figures.map((f) => f.decodeMs + f.inferenceMs));
  return { boundMs: slowest, figures };
}

/** @vladmandic/human in THREADS processes, the photos dealt round-robin; wall time of the slowest. */
async function peer(files: readonly string[]) {
  const parts = Array.from({ length: THREADS }, (_, i) => files.filter((_, j) => j % THREADS === i));
  const t0 = performance.now();
  const runs = await Promise.all(
    parts.map((part) =>
      run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench/human-peer.ts'), ...part]),
    ),
  );
  const wallMs = performance.now() - t0;
  const results = runs.map((r) => {
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    if (r.code !== 0 || !line.startsWith('{'))
      throw new Error(`human peer failed (${r.code}):\n${r.stderr.slice(-2000)}`);
    return JSON.parse(line) as { faces: number; startMs: number; photosMs: number; maxRssMb: number };
  });
  return {
    wallMs,
    faces: results.reduce((n, r) => n + r.faces, 0),
    photosMs: Math.max(...results.map((r) => r.photosMs)),
    rssMb: results.reduce((n, r) => n + r.maxRssMb, 0),
  };
}

async function main(): Promise<void> {
  const { dir, files } = await makeAlbum();
  const n = files.length;
  console.log(
    `pipeline bench: ${n} photos of 4032×3024, pack ${PACK}, ${THREADS} cores, faceblog album ` +
      (values.threads === undefined ? 'as a user runs it' : `--threads ${values.threads}`),
  );
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (shared: figures are noisy)`,
  );

  for (let r = 0; r < ROUNDS; r++) {
    // Other builds alternate with this one round by round, so that a change in the machine's load
    // falls on both.
    for (const cli of values.cli ?? []) {
      const other = await wholeProcess(dir, path.resolve(cli));
      console.log(
        `\n0. ${cli}: ${other.seconds.toFixed(1)} s = ${(n / other.seconds).toFixed(2)} photos/s, ` +
          `CPU ${other.cpuSeconds.toFixed(1)} s, peak RSS ${other.rssMb.toFixed(0)} MB  [${other.summary}]`,
      );
    }
    const whole = await wholeProcess(dir);
    console.log(
      `\n1. faceblog album (new process, start-up and site included): ${whole.seconds.toFixed(1)} s = ` +
        `${(n / whole.seconds).toFixed(2)} photos/s, CPU ${whole.cpuSeconds.toFixed(1)} s, peak RSS ${whole.rssMb.toFixed(0)} MB  [${whole.summary}]`,
    );
    if (r === 0) {
      const b = await (await prepareBound(PACK, files))();
      const oneCoreS = (b.decodeMs + b.inferenceMs) / 1000;
      const { boundMs, figures } = await parallelBound(files);
      const boundS = boundMs / 1000;
      const sum = (key: 'decodeMs' | 'inferenceMs') => figures.reduce((t, f) => t + f[key], 0);
      console.log(
        `   of which start-up, site and exit: ${(whole.seconds - whole.analysisSeconds).toFixed(1)} s ` +
          `(the analysis itself: ${whole.analysisSeconds.toFixed(1)} s)`,
      );
      console.log(
        `2. decode + inference bound (every model run of the album, scene objects included):\n` +
          `   one core: decode ${(b.decodeMs / n).toFixed(0)} ms + inference ${(b.inferenceMs / n).toFixed(0)} ms ` +
          `per photo = ${oneCoreS.toFixed(1)} s = ${(n / oneCoreS).toFixed(2)} photos/s (${b.faces} faces, ` +
          `${b.failures} failed; the whole pipeline one photo at a time: ${(b.serialMs / n).toFixed(0)} ms per photo)\n` +
          `   ${THREADS} cores busy at once (${THREADS} processes): decode ${(sum('decodeMs') / n).toFixed(0)} ms + ` +
          `inference ${(sum('inferenceMs') / n).toFixed(0)} ms per photo, slowest process ${boundS.toFixed(1)} s = ` +
          `${(n / boundS).toFixed(2)} photos/s; ${THREADS} cores give ${(oneCoreS / boundS).toFixed(2)}× one core`,
      );
      console.log(
        `   our overhead over the bound: ${(((whole.seconds - boundS) / boundS) * 100).toFixed(0)} % whole process, ` +
          `${(((whole.analysisSeconds - boundS) / boundS) * 100).toFixed(0)} % for the analysis alone ` +
          `(target within 15 %; 8 photos/s: ${n / whole.seconds >= 8 ? 'met' : 'missed'})`,
      );
      const floorS = whole.seconds - whole.analysisSeconds + sum('decodeMs') / 1000 / THREADS;
      console.log(
        `   with no model at all (start-up, site and decoding alone): ${floorS.toFixed(1)} s = ` +
          `${(n / floorS).toFixed(2)} photos/s`,
      );
      if (!values['no-peer']) {
        const p = await peer(files);
        const ours = n / whole.seconds;
        const theirs = (n * 1000) / p.wallMs;
        console.log(
          `3. @vladmandic/human 3 (WASM, ${THREADS} processes): ${(p.wallMs / 1000).toFixed(1)} s = ` +
            `${theirs.toFixed(2)} photos/s with start-up (${((n * 1000) / p.photosMs).toFixed(2)} without), ` +
            `${p.faces} faces described, peak RSS ${p.rssMb.toFixed(0)} MB summed`,
        );
        console.log(`   faceblog / human: ${(ours / theirs).toFixed(1)}× (target ≥ 4×)`);
      }
    }
  }
}

await main();
