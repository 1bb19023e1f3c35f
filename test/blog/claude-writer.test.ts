import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { AnthropicWriter } from '../../src/adapters/anthropic-writer.js';
import { buildPostRequest, writeModelPost } from '../../src/blog/claude-writer.js';
import { buildAlbumFacts } from '../../src/blog/facts.js';
import { writeOfflinePost } from '../../src/blog/offline-writer.js';
import type { AlbumFacts, BlogPost } from '../../src/blog/types.js';
import type { TextWriterImage } from '../../src/ports/text-writer.js';
import { hasFixtures } from '../support/fixtures.js';
import { errorReply, MessagesApiServer, textReply, toolUseReply } from '../support/messages-api-server.js';
import { buildFixtureAlbum, MESSAGE_TIMES } from './album-fixture.js';

/** The offline post in the answer shape the tool schema asks for, as a model would return it. */
function answerOf(post: BlogPost, facts: AlbumFacts): Record<string, unknown> {
  return {
    title: 'Four countries and two evenings',
    intro: post.intro,
    sections: post.sections.map((s, i) => ({
      moment: facts.moments[i]?.id ?? '',
      heading: s.heading,
      text: s.text,
      photos: [...s.photos],
      people: [...s.people],
      captions: Object.entries(s.captions).map(([photo, caption]) => ({ photo, caption })),
    })),
    closing: post.closing,
  };
}

type Answer = { sections: { photos: string[]; people: string[]; text: string }[] } & Record<string, unknown>;

describe.skipIf(!hasFixtures())('model writer through the Messages API', () => {
  let facts: AlbumFacts;
  let good: Answer;
  let server: MessagesApiServer;
  const images: TextWriterImage[] = [
    // 1×1 white JPEG: the request shape is what is under test, not the pixels.
    {
      id: 'p1',
      mediaType: 'image/jpeg',
      base64:
        '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
    },
    {
      id: 'p2',
      mediaType: 'image/jpeg',
      base64:
        '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
    },
  ];
  const writer = (opts: { maxRetries?: number; timeoutMs?: number } = {}) =>
    new AnthropicWriter({
      apiKey: 'sk-test-key',
      model: 'claude-test-model',
      baseURL: server.url,
      maxRetries: opts.maxRetries ?? 0,
      timeoutMs: opts.timeoutMs ?? 10_000,
    });

  beforeAll(async () => {
    facts = buildAlbumFacts(await buildFixtureAlbum(), { messageTimes: MESSAGE_TIMES });
    good = answerOf(writeOfflinePost(facts), facts) as Answer;
  });
  beforeEach(async () => {
    server = await new MessagesApiServer().start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends facts, base64 images and a forced tool with the post schema, and uses a valid answer', async () => {
    server.reply(toolUseReply('write_post', good));
    const result = await writeModelPost(facts, { writer: writer(), images });
    expect(result.notice).toBeUndefined();
    expect(result.post.writer).toBe('model');
    expect(result.post.title).toBe('Four countries and two evenings');
    expect(result.post.sections.flatMap((s) => s.photos)).toEqual(good.sections.flatMap((s) => s.photos));

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.path).toBe('/v1/messages');
    // SDK 1.x sends the key as a bearer token; older versions used x-api-key.
    expect(`${String(req.headers.authorization)} ${String(req.headers['x-api-key'])}`).toContain(
      'sk-test-key',
    );
    expect(req.headers['anthropic-version']).toBeTruthy();
    const body = req.body as {
      model: string;
      max_tokens: number;
      system: string;
      messages: {
        role: string;
        content: {
          type: string;
          text?: string;
          source?: { type: string; media_type: string; data: string };
        }[];
      }[];
      tools: { name: string; input_schema: { required: string[] } }[];
      tool_choice: unknown;
    };
    expect(body.model).toBe('claude-test-model');
    expect(body.max_tokens).toBe(4096);
    expect(body.system).toMatch(/Never invent/);
    expect(body.tools).toHaveLength(1);
    expect(body.tools[0]!.name).toBe('write_post');
    expect(body.tools[0]!.input_schema.required).toEqual(['title', 'intro', 'sections', 'closing']);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'write_post' });
    const content = body.messages[0]!.content;
    expect(body.messages[0]!.role).toBe('user');
    expect(content[0]!.type).toBe('text');
    const factsJson = JSON.parse(content[0]!.text!.split('\n')[1]!) as {
      moments: { place: string | null }[];
      people: { label: string }[];
    };
    expect(factsJson.moments[0]!.place).toBe('Arezzo, Italy');
    expect(factsJson.people.map((p) => p.label).sort()).toEqual([
      'Barack Obama',
      'Joe Biden',
      'Person 3',
      'Person 4',
    ]);
    const imgs = content.filter((b) => b.type === 'image');
    expect(imgs.map((b) => b.source)).toEqual(
      images.map((i) => ({ type: 'base64', media_type: 'image/jpeg', data: i.base64 })),
    );
    expect(content[content.indexOf(imgs[0]!) - 1]).toEqual({ type: 'text', text: 'Photo p1:' });
  });

  it('rejects a post that cites a missing photo and names a stranger, retries with the reasons', async () => {
    const bad = structuredClone(good);
    bad.sections[0]!.photos.push('p99');
    bad.sections[0]!.people.push('Person 9');
    bad.sections[0]!.text += ' Person 9 waves.';
    server.reply(toolUseReply('write_post', bad), toolUseReply('write_post', good));
    const result = await writeModelPost(facts, { writer: writer() });
    expect(result.notice).toBeUndefined();
    expect(result.post.writer).toBe('model');
    expect(result.rejections).toHaveLength(1);
    expect(result.rejections[0]!.join('\n')).toMatch(/photo p99, which does not exist/);
    expect(result.rejections[0]!.join('\n')).toMatch(/"Person 9", who is not in the facts/);
    const retry = server.requests[1]!.body as { messages: { content: { text?: string }[] }[] };
    expect(retry.messages[0]!.content[0]!.text).toMatch(/previous answer was rejected[\s\S]*p99/);
    expect(JSON.stringify(result.post)).not.toContain('p99');
  });

  it('repairs a post whose only fault is a missing photo, after the retry also cites it', async () => {
    const bad = structuredClone(good);
    bad.sections[0]!.photos.push('p99');
    server.reply(toolUseReply('write_post', bad), toolUseReply('write_post', bad));
    const result = await writeModelPost(facts, { writer: writer() });
    expect(result.notice).toBeUndefined();
    expect(result.post.writer).toBe('model');
    expect(result.post.sections[0]!.photos).not.toContain('p99');
    expect(result.post.sections[0]!.photos).toEqual(good.sections[0]!.photos);
  });

  it('never uses a post that keeps naming people who are not in the facts', async () => {
    const bad = structuredClone(good);
    const trip = bad.sections[0]!;
    trip.people.push('Barack Obama'); // real person, but in none of the trip photos
    server.reply(toolUseReply('write_post', bad), toolUseReply('write_post', bad));
    const result = await writeModelPost(facts, { writer: writer() });
    expect(result.post.writer).toBe('offline');
    expect(result.notice).toMatch(/did not match the photos/);
    expect(result.rejections).toHaveLength(2);
  });

  it('catches a known name written into the text of a section whose photos do not show them', async () => {
    const bad = structuredClone(good);
    bad.sections[0]!.text += ' Joe Biden led the way.';
    server.reply(toolUseReply('write_post', bad), toolUseReply('write_post', good));
    const result = await writeModelPost(facts, { writer: writer() });
    expect(result.rejections[0]).toEqual(['sections[0] names "Joe Biden", who is in none of its photos']);
    expect(result.post.sections[0]!.text).not.toContain('Joe Biden');
  });

  it('falls back offline on a malformed answer or a reply without the tool', async () => {
    server.reply(toolUseReply('write_post', { title: 'only a title' }), textReply('Here is your post!'));
    const result = await writeModelPost(facts, { writer: writer() });
    expect(result.post.writer).toBe('offline');
    expect(result.rejections[0]!.join(' ')).toMatch(/sections/);
    expect(result.notice).toMatch(/written offline/);
  });

  it.each([
    [429, /busy right now \(rate limit\)/],
    [529, /overloaded/],
    [500, /service failed/],
  ])('falls back offline and tells the user on HTTP %i', async (status, notice) => {
    server.reply(errorReply(status));
    const result = await writeModelPost(facts, { writer: writer() });
    expect(result.post).toEqual(writeOfflinePost(facts));
    expect(result.notice).toMatch(notice);
  });

  it('lets the SDK retry a rate limit once before giving up', async () => {
    server.reply(errorReply(429, 'slow down', { 'retry-after-ms': '10' }), toolUseReply('write_post', good));
    const result = await writeModelPost(facts, { writer: writer({ maxRetries: 1 }) });
    expect(result.notice).toBeUndefined();
    expect(server.requests).toHaveLength(2);
  });

  it('falls back offline on a timeout', async () => {
    server.reply({ ...toolUseReply('write_post', good), delayMs: 3_000 });
    const result = await writeModelPost(facts, { writer: writer({ timeoutMs: 200 }) });
    expect(result.post.writer).toBe('offline');
    expect(result.notice).toMatch(/took too long/);
  });

  it('builds the same request without the SDK (the port carries everything the adapter needs)', () => {
    const req = buildPostRequest(facts, images);
    expect(req.schemaName).toBe('write_post');
    expect(req.images).toBe(images);
    expect(req.text).toContain('"id":"m1"');
  });

  it('gives the model the captions, senders, objects and the chat language to write in', () => {
    const first = facts.photos[0]!;
    const german: AlbumFacts = {
      ...facts,
      language: 'de',
      photos: facts.photos.map((p) =>
        p.id === first.id
          ? {
              ...p,
              caption: 'Marco hat seinen Hut verloren',
              sender: 'Giulia',
              objects: [{ label: 'dog', count: 2 }],
            }
          : p,
      ),
    };
    const req = buildPostRequest(german, images);
    expect(req.system).toMatch(/Write everything .* in German\./);
    expect(req.system).toMatch(/captions/);
    expect(req.text).toContain('"caption":"Marco hat seinen Hut verloren"');
    expect(req.text).toContain('"sentBy":"Giulia"');
    expect(req.text).toContain('"2 × dog"');
  });
});
