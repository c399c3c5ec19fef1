/**
 * Typed engine errors. Every failure the writer can meet (no WebGPU, download failed, disk full, GPU reset,
 * text too long) becomes an {@link EngineError} with a code the UI can branch on and a message, in zh-CN and en,
 * that says what to do. Errors cross the worker boundary as data ({@link EngineErrorData}) and are rebuilt on
 * the page side with {@link EngineError.fromWire}.
 */
import type { WireError } from '../protocol/rpc';

/** What went wrong, for code to branch on. */
export type EngineErrorCode =
  | 'no-webgpu'
  | 'no-adapter'
  | 'missing-feature'
  | 'device-lost'
  | 'context-overflow'
  | 'network'
  | 'quota'
  | 'not-loaded'
  | 'model-not-found'
  | 'aborted'
  | 'grammar-rejected'
  | 'no-response'
  | 'unauthorized'
  | 'rate-limited'
  | 'internal';

export const ENGINE_ERROR_CODES: readonly EngineErrorCode[] = [
  'no-webgpu',
  'no-adapter',
  'missing-feature',
  'device-lost',
  'context-overflow',
  'network',
  'quota',
  'not-loaded',
  'model-not-found',
  'aborted',
  'grammar-rejected',
  'no-response',
  'unauthorized',
  'rate-limited',
  'internal',
];

/** Languages of user-facing text. */
export type Locale = 'en' | 'zh-CN';

/** A text in every supported language. */
export type LocalizedText = Record<Locale, string>;

/** Plain-data facts about an error; every field is optional and cloneable. */
export interface EngineErrorDetail {
  /** context-overflow: the conservative estimate of the prompt's tokens. */
  estimatedTokens?: number;
  /** context-overflow: tokens reserved for the answer. */
  maxTokens?: number;
  /** context-overflow: the model's context window. */
  contextWindow?: number;
  /** network: the URL that failed, where known. */
  url?: string;
  /** network: the HTTP status, where the host answered. */
  status?: number;
  /** model-not-found / others: the model concerned. */
  modelId?: string;
  /** missing-feature: the WebGPU feature or limit that is missing. */
  feature?: string;
  /** quota: bytes used and available to this site, where the browser says. */
  usageBytes?: number;
  quotaBytes?: number;
  /** no-response: how long the engine was waited for, in seconds. */
  waitedSeconds?: number;
  /**
   * The company model server's host, when the model runs there (OpenAiCompatibleEngine): the messages then speak
   * of that server, not of a download or of this computer's GPU.
   */
  server?: string;
  /** rate-limited: seconds the server asked to wait (`Retry-After`), where it said. */
  retryAfterSeconds?: number;
  /** The underlying error as text (name: message), for logs and the diagnostics page; never shown alone. */
  cause?: string;
  [key: string]: string | number | boolean | undefined;
}

/** An EngineError as data, the shape that crosses postMessage. */
export interface EngineErrorData extends WireError {
  code: EngineErrorCode;
  message: string;
  detail?: EngineErrorDetail;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

function mb(bytes: number | undefined): string | undefined {
  return bytes === undefined ? undefined : `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MB`;
}

/** The user-facing text of an error, from its code and details. */
export function describeEngineError(code: EngineErrorCode, d: EngineErrorDetail = {}): LocalizedText {
  switch (code) {
    case 'no-webgpu':
      return {
        en:
          'This browser or Office version cannot run the model on your computer: WebGPU is not available. ' +
          'Update Microsoft 365 / Office and the Edge WebView2 runtime, or use Chrome or Edge 113 or later; ' +
          'on a Mac you need Safari 26 on macOS 26. Also check that hardware acceleration is turned on.',
        'zh-CN':
          '当前浏览器或 Office 版本无法在本机运行模型：WebGPU 不可用。请更新 Microsoft 365 / Office 和 Edge WebView2 运行时，' +
          '或使用 Chrome / Edge 113 及以上版本；Mac 需要 macOS 26 上的 Safari 26。同时请确认已开启硬件加速。',
      };
    case 'no-adapter':
      return {
        en:
          'WebGPU is available, but no usable graphics card was found. Turn on hardware acceleration in the ' +
          'browser settings, update the graphics driver, or ask IT whether the GPU is blocked by policy.',
        'zh-CN':
          'WebGPU 可用，但没有找到可用的显卡。请在浏览器设置中开启硬件加速、更新显卡驱动，或询问 IT 是否有策略禁用了 GPU。',
      };
    case 'missing-feature':
      return {
        en:
          `Your graphics card does not support a WebGPU feature this model needs (${d.feature ?? 'unknown'}). ` +
          'Choose the 32-bit (q4f32_1) version of the model, or let Liuhen choose automatically.',
        'zh-CN':
          `您的显卡不支持该模型需要的 WebGPU 功能（${d.feature ?? '未知'}）。请改用模型的 32 位（q4f32_1）版本，或让留痕自动选择。`,
      };
    case 'device-lost':
      return {
        en:
          'The graphics card stopped responding (the GPU device was lost, often because it ran out of memory or ' +
          'the driver restarted). Liuhen will reload the model on your next request. If this keeps happening, ' +
          'close other graphics-heavy programs or choose a smaller model.',
        'zh-CN':
          '显卡停止响应（GPU 设备丢失，通常是显存不足或驱动重启）。下次请求时留痕会自动重新加载模型。' +
          '如果反复出现，请关闭其他占用显卡的程序，或换用更小的模型。',
      };
    case 'context-overflow': {
      const est = d.estimatedTokens ?? 0;
      const out = d.maxTokens ?? 0;
      const lim = d.contextWindow ?? 0;
      return {
        en:
          `The text is too long for the model: about ${est} tokens, plus ${out} reserved for the answer, ` +
          `but the model can handle ${lim} in total. Select less text or split the transcript into parts.`,
        'zh-CN':
          `文本超出模型的处理长度：约 ${est} 个 token，另需为回答预留 ${out} 个，而模型最多只能处理 ${lim} 个。` +
          '请少选一些文本，或把记录分成几段处理。',
      };
    }
    case 'network': {
      if (d.server !== undefined) {
        const status = d.status !== undefined ? ` (HTTP ${d.status})` : '';
        return {
          en:
            `The company model server ${d.server} could not be reached${status}. Check the network connection or ` +
            'VPN, then try again; if it keeps failing, tell IT that the model server does not answer. Nothing was written.',
          'zh-CN': `无法连接公司模型服务器 ${d.server}${status}。请检查网络连接或 VPN 后重试；如果一直失败，请告知 IT 模型服务器没有响应。本次没有生成内容。`,
        };
      }
      const host = hostOf(d.url);
      const where = host ? ` from ${host}` : '';
      const whereZh = host ? `（${host}）` : '';
      const status =
        d.status !== undefined
          ? ` The server answered HTTP ${d.status}${d.status === 404 ? ' (not found): the model address or revision is probably wrong' : ''}.`
          : '';
      const statusZh =
        d.status !== undefined ? `服务器返回 HTTP ${d.status}${d.status === 404 ? '（未找到）：模型地址或版本号可能有误' : ''}。` : '';
      return {
        // Points at what the writer can see: the model area's "Download / load model" button (the same words on
        // the model-check page). The address itself is the admin's (model-records.json), not a setting here.
        en:
          `The model could not be downloaded${where}.${status} Check the network connection and whether a ` +
          `corporate proxy or firewall blocks ${host ?? 'the model host'}; if the address is wrong, tell whoever set ` +
          'up your company’s models. Then click “Download / load model” again — files already downloaded are kept.',
        'zh-CN':
          `无法下载模型${whereZh}。${statusZh}请检查网络连接，以及公司代理或防火墙是否拦截${host ?? '模型服务器'}；` +
          '如果地址有误，请告知为公司配置模型的人员。然后再次点击“下载/加载模型”——已下载的文件会保留。',
      };
    }
    case 'quota': {
      const room =
        d.quotaBytes !== undefined && d.usageBytes !== undefined
          ? ` (this site uses ${mb(d.usageBytes)} of ${mb(d.quotaBytes)} allowed)`
          : '';
      const roomZh =
        d.quotaBytes !== undefined && d.usageBytes !== undefined
          ? `（本站点已用 ${mb(d.usageBytes)}，上限 ${mb(d.quotaBytes)}）`
          : '';
      return {
        en:
          `There is not enough storage space to keep the model${room}. Free disk space, or delete models you ` +
          'no longer use (“Delete download”), then try again. Private/InPrivate windows have very little ' +
          'space: use a normal window.',
        'zh-CN':
          `存储空间不足，无法保存模型${roomZh}。请清理磁盘空间，或删除不再使用的模型（“删除已下载模型”），然后重试。` +
          '无痕/InPrivate 窗口空间很小，请使用普通窗口。',
      };
    }
    case 'not-loaded':
      return {
        en: 'No model is loaded yet. Click “Download / load model” first.',
        'zh-CN': '尚未加载模型，请先点击“下载/加载模型”。',
      };
    case 'model-not-found':
      if (d.server !== undefined) {
        return {
          en:
            `The company model server ${d.server} does not serve the model "${d.modelId ?? ''}". The server was ` +
            'restarted without it, or the model name in model-records.json is wrong: tell whoever set up your company’s models.',
          'zh-CN': `公司模型服务器 ${d.server} 没有提供模型“${d.modelId ?? ''}”。可能服务器重启时未加载该模型，或 model-records.json 中的模型名称有误：请告知为公司配置模型的人员。`,
        };
      }
      return {
        en:
          `The model "${d.modelId ?? ''}" is not in Liuhen's model list. Check the model name in the settings ` +
          'or the model registry file.',
        'zh-CN': `模型“${d.modelId ?? ''}”不在留痕的模型列表中。请检查设置中的模型名称或模型注册文件。`,
      };
    case 'aborted':
      return { en: 'Stopped.', 'zh-CN': '已停止。' };
    case 'grammar-rejected':
      return {
        en:
          "The model engine rejected this template's output format, so nothing was written. The template needs " +
          `fixing: send this message to IT${d.cause ? `: ${d.cause}` : '.'}`,
        'zh-CN': `模型引擎不接受此模板的输出格式，因此没有生成内容。模板需要修正：请把这条信息发给 IT${d.cause ? `：${d.cause}` : '。'}`,
      };
    case 'no-response':
      return {
        en:
          `The model engine stopped answering (nothing for ${d.waitedSeconds ?? '?'} s), so writing was stopped. ` +
          'Try Generate again; the model is reloaded first. If it happens again, reload the page.',
        'zh-CN': `模型引擎没有响应（${d.waitedSeconds ?? '?'} 秒内无输出），已停止生成。请再次点击生成（会先重新加载模型）；如果再次出现，请刷新页面。`,
      };
    case 'unauthorized':
      return {
        en:
          `The company model server ${d.server ?? ''} refused access${d.status !== undefined ? ` (HTTP ${d.status})` : ''}. ` +
          'Your account or this computer is not allowed to use it: ask IT for access. Nothing was written.',
        'zh-CN': `公司模型服务器 ${d.server ?? ''} 拒绝访问${d.status !== undefined ? `（HTTP ${d.status}）` : ''}。您的账号或这台电脑没有使用权限：请向 IT 申请。本次没有生成内容。`,
      };
    case 'rate-limited': {
      const wait = d.retryAfterSeconds !== undefined ? ` in about ${d.retryAfterSeconds} s` : ' in a minute';
      const waitZh = d.retryAfterSeconds !== undefined ? `约 ${d.retryAfterSeconds} 秒后` : '稍等一分钟后';
      return {
        en: `The company model server ${d.server ?? ''} is busy (too many requests). Try again${wait}; a batch can be resumed with “Retry failed rows”.`,
        'zh-CN': `公司模型服务器 ${d.server ?? ''} 正忙（请求过多）。请${waitZh}重试；批量任务可用“重试失败的行”继续。`,
      };
    }
    case 'internal':
      return {
        en:
          'Something went wrong inside the model engine. Reload the page and try again; if it happens again, ' +
          `send this message to IT${d.cause ? `: ${d.cause}` : '.'}`,
        'zh-CN': `模型引擎内部出错。请刷新页面后重试；如果再次出现，请把这条信息发给 IT${d.cause ? `：${d.cause}` : '。'}`,
      };
  }
}

/** A failure of the model engine, with a code and a user-facing message in zh-CN and en. */
export class EngineError extends Error {
  /** The same text in every supported language; `message` is the English one. */
  readonly localized: LocalizedText;

  constructor(
    readonly code: EngineErrorCode,
    readonly detail: EngineErrorDetail = {},
    localized?: LocalizedText,
  ) {
    const text = localized ?? describeEngineError(code, detail);
    super(text.en);
    this.name = 'EngineError';
    this.localized = text;
  }

  /** The message for the writer, in their language. */
  userMessage(locale: Locale): string {
    return this.localized[locale];
  }

  /** This error as cloneable data, for postMessage. */
  toWire(): EngineErrorData {
    return { code: this.code, message: this.message, detail: { ...this.detail } };
  }

  /** Rebuilds an EngineError from wire data; an unknown code becomes `internal`. */
  static fromWire(wire: WireError): EngineError {
    const code = (ENGINE_ERROR_CODES as readonly string[]).includes(wire.code)
      ? (wire.code as EngineErrorCode)
      : 'internal';
    const detail: EngineErrorDetail = { ...(wire.detail ?? {}) };
    if (code === 'internal' && detail.cause === undefined) detail.cause = wire.message;
    return new EngineError(code, detail);
  }
}

/** Whether `value` is an EngineError (optionally with one of `codes`). */
export function isEngineError(value: unknown, ...codes: EngineErrorCode[]): value is EngineError {
  return value instanceof EngineError && (codes.length === 0 || codes.includes(value.code));
}
