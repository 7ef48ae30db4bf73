// An SSE stream of OpenAI-style chat-completion chunks for the parsers benchmark. It is generated
// from a seed, so every run measures the same bytes and the repository needs no 10 MB recording.
import { seededRandom } from '../shared/src/testing/chunking.js';

/** The generated stream and what a consumer must recover from it. */
export interface ChatStreamFixture {
  bytes: Uint8Array;
  /** Completions in the stream, each ended by `data: [DONE]`. */
  completions: number;
  /** `data:` events, `[DONE]` sentinels included. */
  dataEvents: number;
  /** UTF-16 length of all reasoning text, from `reasoning_content` and from `<think>` blocks. */
  reasoningLength: number;
  /** UTF-16 length of all reply text, tags excluded. */
  contentLength: number;
}

/** Tokens as models stream them: words with their leading space, CJK, emoji, code, line breaks. */
const TOKENS = [
  ' the',
  ' user',
  ' wants',
  ' a',
  ' function',
  ' that',
  ' returns',
  ' list',
  ' of',
  ' values',
  ' so',
  ' I',
  ' should',
  ' check',
  ' first',
  ' whether',
  ' it',
  ' is',
  ' sorted',
  '.',
  ',',
  ' Let',
  ' me',
  ' think',
  ' again',
  ':',
  '\n',
  '\n\n',
  '```',
  'ts',
  ' const',
  ' x',
  ' =',
  ' a',
  ' <',
  ' b',
  ' &&',
  ' "quoted"',
  ' <T>',
  ' <div>',
  '\\n',
  ' 我们',
  '需要',
  '考虑',
  '一下',
  '。',
  ' café',
  ' naïve',
  ' 🤔',
  ' 🚀',
];

const MODELS = { reasoningField: 'deepseek-reasoner', inlineTags: 'qwen3-32b' } as const;

/** Builds the stream one completion at a time until it reaches `targetBytes`. */
class StreamWriter {
  private readonly random: () => number;
  private readonly encoder = new TextEncoder();
  private readonly pieces: Uint8Array[] = [];
  private byteLength = 0;
  private completionNumber = 0;
  private id = '';
  private model = '';
  readonly totals = { completions: 0, dataEvents: 0, reasoningLength: 0, contentLength: 0 };

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  get bytesWritten(): number {
    return this.byteLength;
  }

  writeCompletion(): void {
    this.completionNumber += 1;
    this.id = `chatcmpl-${(0x5f3a000 + this.completionNumber * 7919).toString(16)}`;
    const inline = this.completionNumber % 2 === 0;
    this.model = inline ? MODELS.inlineTags : MODELS.reasoningField;
    this.writeChunk({ role: 'assistant', content: '' }, null);

    const reasoningTokens = this.tokens(40, 400);
    const answerTokens = this.tokens(20, 300);
    if (inline) {
      this.writeInlineCompletion(reasoningTokens, answerTokens);
    } else {
      for (const token of reasoningTokens) {
        this.writeChunk({ content: null, reasoning_content: token }, null);
      }
      for (const token of answerTokens) {
        this.writeChunk({ content: token }, null);
      }
    }
    this.totals.reasoningLength += reasoningTokens.join('').length;
    this.totals.contentLength += answerTokens.join('').length;

    this.writeChunk({}, 'stop');
    this.writeUsage(reasoningTokens.length, answerTokens.length);
    this.writeData('[DONE]');
    this.totals.completions += 1;
  }

  toBytes(): Uint8Array {
    const bytes = new Uint8Array(this.byteLength);
    let offset = 0;
    for (const piece of this.pieces) {
      bytes.set(piece, offset);
      offset += piece.length;
    }
    return bytes;
  }

  /** Writes reasoning inside `<think>` tags in the content, the tags cut across deltas at times. */
  private writeInlineCompletion(reasoningTokens: string[], answerTokens: string[]): void {
    const deltas = ['<think>', ...reasoningTokens, '</think>', ...answerTokens];
    const text = deltas.join('');
    let start = 0;
    for (const delta of deltas) {
      // About one delta in five is cut short, so tags and tokens also split across deltas.
      let length = this.random() < 0.2 ? Math.max(1, delta.length - 2) : delta.length;
      if (isHighSurrogate(text.charCodeAt(start + length - 1))) {
        length += 1;
      }
      this.writeChunk({ content: text.slice(start, start + length) }, null);
      start += length;
    }
    if (start < text.length) {
      this.writeChunk({ content: text.slice(start) }, null);
    }
  }

  private tokens(min: number, max: number): string[] {
    const count = min + Math.floor(this.random() * (max - min + 1));
    return Array.from(
      { length: count },
      () => TOKENS[Math.floor(this.random() * TOKENS.length)] ?? '',
    );
  }

  private writeChunk(delta: Record<string, unknown>, finishReason: string | null): void {
    const choice = { index: 0, delta, logprobs: null, finish_reason: finishReason };
    this.writeData(JSON.stringify({ ...this.envelope(), choices: [choice] }));
    if (this.random() < 0.01) {
      this.write(': keep-alive\n\n');
    }
  }

  private writeUsage(reasoningTokens: number, answerTokens: number): void {
    const usage = {
      prompt_tokens: 57,
      completion_tokens: reasoningTokens + answerTokens,
      total_tokens: 57 + reasoningTokens + answerTokens,
      completion_tokens_details: { reasoning_tokens: reasoningTokens },
    };
    this.writeData(JSON.stringify({ ...this.envelope(), choices: [], usage }));
  }

  private envelope() {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: 1764806400 + this.completionNumber,
      model: this.model,
      system_fingerprint: 'fp_8802369eaa',
    };
  }

  private writeData(payload: string): void {
    this.write(`data: ${payload}\n\n`);
    this.totals.dataEvents += 1;
  }

  private write(text: string): void {
    const piece = this.encoder.encode(text);
    this.pieces.push(piece);
    this.byteLength += piece.length;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Generates whole completions from `seed` until the stream reaches at least `targetBytes`. */
export function generateChatStream(targetBytes: number, seed: number): ChatStreamFixture {
  const writer = new StreamWriter(seed);
  while (writer.bytesWritten < targetBytes) {
    writer.writeCompletion();
  }
  return { bytes: writer.toBytes(), ...writer.totals };
}
