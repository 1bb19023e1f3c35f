/**
 * `faceblog find` end to end on the real CLI and models: an album folder written by `faceblog album`,
 * then selfies of a member, of strangers and of two people at once.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { FindAnswer } from '../../src/cli/find-command.js';
import { fixture } from '../support/fixtures.js';
import { runCli } from '../support/run-cli.js';

const KNN = 'face_recognition/examples/knn_examples';
const ALBUM: Record<string, string> = {
  'obama.jpg': 'face_recognition/examples/obama.jpg',
  'obama2.jpg': 'face_recognition/examples/obama2.jpg',
  'biden.jpg': 'face_recognition/examples/biden.jpg',
  'biden2.jpg': `${KNN}/train/biden/biden2.jpg`,
  'kit.jpeg': `${KNN}/train/kit_harington/john1.jpeg`,
  'lin.png': 'face_recognition/examples/lin-manuel-miranda.png',
};

describe('faceblog find', () => {
  let dir: string;
  const out = () => path.join(dir, 'out');
  const find = async (selfie: string, ...args: string[]): Promise<FindAnswer> => {
    const run = await runCli(['find', fixture(selfie), '--in', out(), '--json', ...args]);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as FindAnswer;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-find-'));
    await mkdir(path.join(dir, 'album'));
    for (const [to, from] of Object.entries(ALBUM))
      await copyFile(fixture(from), path.join(dir, 'album', to));
    const run = await runCli(['album', path.join(dir, 'album'), '--out', out()]);
    expect(run.code, run.stderr).toBe(0);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("finds a member with only that member's photos", async () => {
    const answer = await find(`${KNN}/test/obama1.jpg`);
    expect(answer.status).toBe('found');
    if (answer.status === 'found')
      expect(answer.photos.map((p) => p.path).sort()).toEqual(['obama.jpg', 'obama2.jpg']);
    const biden = await find(`${KNN}/train/biden/biden.jpg`);
    expect(biden.status).toBe('found');
    if (biden.status === 'found')
      expect(biden.photos.map((p) => p.path).sort()).toEqual(['biden.jpg', 'biden2.jpg']);
  });

  it('answers no match for strangers', async () => {
    for (const selfie of [
      `${KNN}/train/rose_leslie/img1.jpg`,
      'lfw/Abel_Pacheco/Abel_Pacheco_0001.jpg',
      'lfw/Abdul_Rahman/Abdul_Rahman_0001.jpg',
    ]) {
      expect((await find(selfie)).status, selfie).toBe('no-match');
    }
  });

  it('lists the faces of a selfie with two people, then searches with the one chosen', async () => {
    const answer = await find(`${KNN}/test/kit_with_rose.jpg`);
    expect(answer.status).toBe('choose-face');
    if (answer.status !== 'choose-face') return;
    expect(answer.faces).toHaveLength(2);
    // Rose Leslie is the face on the left and is not in the album; Kit Harington, on the right, is.
    const [left, right] = [...answer.faces].sort((a, b) => a.box[0]! - b.box[0]!);
    expect((await find(`${KNN}/test/kit_with_rose.jpg`, '--face', String(left!.index))).status).toBe(
      'no-match',
    );
    expect((await find(`${KNN}/test/kit_with_rose.jpg`, '--face', String(right!.index))).status).toBe(
      'found',
    );
  });

  it('prints a sentence for people and names bad arguments', async () => {
    const run = await runCli(['find', fixture(`${KNN}/test/obama1.jpg`), '--in', out()]);
    expect(run.stdout).toMatch(/^Found person-\d+ in 2 photos/);
    const bad = await runCli(['find', fixture(`${KNN}/test/obama1.jpg`)]);
    expect(bad.code).toBe(2);
  });
});
