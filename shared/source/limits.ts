/**
 * How much source text Liuhen takes at once. Without a limit a 5 MB selection meant 3.6 s of counting on every
 * selection change, 22.6 s of synchronous preparation (redaction, normalisation) before Cancel could be clicked,
 * and ~789 model requests. Preparation costs about 2–4 µs per character (`npm run bench:inputs`), so
 * {@link MAX_SOURCE_CHARS} keeps it near a quarter of a second, and a long source at about a dozen requests.
 */

/** The most characters (Unicode code points) one source may have: about 25 pages, or 3 hours of transcript. */
export const MAX_SOURCE_CHARS = 50_000;

/** Characters read for language detection: the start of a source says its language as well as all of it. */
export const LANGUAGE_SAMPLE_CHARS = 4_000;

/**
 * Unicode code points in `text` (what the writer calls characters: a CJK ideograph or an emoji is one), counted
 * without building an array (`Array.from` of 5 MB allocates millions of strings).
 */
export function countChars(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n -= 1;
        i += 1;
      }
    }
  }
  return n;
}

/** The start of `text`, enough to tell its language. */
export function languageSample(text: string): string {
  return text.length > LANGUAGE_SAMPLE_CHARS ? text.slice(0, LANGUAGE_SAMPLE_CHARS) : text;
}

/** The writer-facing message for a source of `chars` characters over the limit, or undefined when it fits. */
export function sourceTooLong(chars: number): { en: string; 'zh-CN': string } | undefined {
  if (chars <= MAX_SOURCE_CHARS) return undefined;
  const n = chars.toLocaleString('en-US');
  const max = MAX_SOURCE_CHARS.toLocaleString('en-US');
  return {
    en: `The source has ${n} characters; Liuhen takes at most ${max} characters (MAX_SOURCE_CHARS, about 25 pages) at a time. Select or paste a shorter part, e.g. one interview.`,
    'zh-CN': `来源共 ${n} 字；留痕一次最多处理 ${max} 字（约 25 页）。请选择或粘贴较短的一段，例如一次面谈。`,
  };
}

/**
 * Thrown by the pipeline (generate) for a source over {@link MAX_SOURCE_CHARS}: the pane refuses such a source up
 * front, but other callers (batch rows, the VS Code panel, scripts) reach the pipeline directly, and preparation
 * must stay bounded for them too. `message` is the English text; `userMessage` gives either language.
 */
export class SourceTooLongError extends Error {
  override readonly name = 'SourceTooLongError';
  readonly limit = MAX_SOURCE_CHARS;
  constructor(readonly chars: number) {
    super(sourceTooLong(chars)?.en ?? `The source has ${chars} characters; the limit is ${MAX_SOURCE_CHARS} (MAX_SOURCE_CHARS).`);
  }

  /** The message in the writer's language. */
  userMessage(locale: 'en' | 'zh-CN'): string {
    return sourceTooLong(this.chars)?.[locale] ?? this.message;
  }
}
