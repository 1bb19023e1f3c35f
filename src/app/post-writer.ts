import { AnthropicWriter } from '../adapters/anthropic-writer.js';
import type { Config } from '../config.js';
import type { TextWriter } from '../ports/text-writer.js';

/** Claude when ANTHROPIC_API_KEY is set; undefined means the offline writer. */
export function createPostWriter(config: Config): TextWriter | undefined {
  const { anthropic } = config;
  if (!anthropic) return undefined;
  return new AnthropicWriter({ ...anthropic, baseURL: anthropic.baseURL ?? undefined });
}
