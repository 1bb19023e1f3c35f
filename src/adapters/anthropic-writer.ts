import Anthropic from '@anthropic-ai/sdk';

import {
  TextWriterError,
  type TextWriter,
  type TextWriterFailure,
  type TextWriterRequest,
  type TextWriterResult,
} from '../ports/text-writer.js';

export interface AnthropicWriterOptions {
  readonly apiKey: string;
  /** Model id from config, e.g. "claude-sonnet-4-5". */
  readonly model: string;
  /** Tests point this at a local Messages API server. */
  readonly baseURL?: string;
  /** 60 s: a post with a dozen images takes 10–30 s; beyond a minute the user is better served offline. */
  readonly timeoutMs?: number;
  /** SDK retries on 408/409/429/5xx with backoff; 1 keeps a chat reply from waiting minutes. */
  readonly maxRetries?: number;
}

/**
 * TextWriter over the Anthropic Messages API: images as base64 content blocks, the structure forced
 * with a single tool whose input_schema is the post schema (tool_choice names it). The constructor does
 * no I/O.
 */
export class AnthropicWriter implements TextWriter {
  private readonly client: Anthropic;
  private readonly model: string;

  constructor(opts: AnthropicWriterOptions) {
    this.client = new Anthropic({
      apiKey: opts.apiKey,
      baseURL: opts.baseURL ?? null,
      timeout: opts.timeoutMs ?? 60_000,
      maxRetries: opts.maxRetries ?? 1,
    });
    this.model = opts.model;
  }

  async write(request: TextWriterRequest): Promise<TextWriterResult> {
    const content: Anthropic.ContentBlockParam[] = [{ type: 'text', text: request.text }];
    for (const image of request.images) {
      content.push({ type: 'text', text: `Photo ${image.id}:` });
      content.push({
        type: 'image',
        source: { type: 'base64', media_type: image.mediaType, data: image.base64 },
      });
    }
    let message: Anthropic.Message;
    try {
      message = await this.client.messages.create({
        model: this.model,
        max_tokens: request.maxTokens,
        system: request.system,
        messages: [{ role: 'user', content }],
        tools: [
          {
            name: request.schemaName,
            description: 'Return the finished blog post.',
            input_schema: request.schema as Anthropic.Tool.InputSchema,
          },
        ],
        tool_choice: { type: 'tool', name: request.schemaName },
      });
    } catch (error) {
      throw new TextWriterError(
        failureOf(error),
        `Messages API: ${error instanceof Error ? error.message : String(error)}`,
        error,
      );
    }
    const tool = message.content.find(
      (b): b is Anthropic.ToolUseBlock => b.type === 'tool_use' && b.name === request.schemaName,
    );
    if (!tool) {
      throw new TextWriterError(
        'bad-output',
        `Messages API answered without the ${request.schemaName} tool (stop_reason ${message.stop_reason ?? 'none'})`,
      );
    }
    return { output: tool.input, model: message.model };
  }
}

function failureOf(error: unknown): TextWriterFailure {
  if (error instanceof Anthropic.APIConnectionTimeoutError) return 'timeout';
  if (error instanceof Anthropic.RateLimitError) return 'rate-limited';
  if (error instanceof Anthropic.APIError && error.status === 529) return 'overloaded';
  return 'api-error';
}
