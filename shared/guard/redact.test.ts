import { describe, expect, it } from 'vitest';
import { cnIdCheckChar, hasCnIdStructure, isValidCnIdChecksum, luhnValid } from './checksums';
import { guardText } from './guard';
import { redact, REDACTION_PLACEHOLDERS } from './redact';
import type { RedactionType } from './types';

/** An 18-digit resident ID with the right GB 11643 check character. */
function cnId(first17: string): string {
  const check = cnIdCheckChar(first17);
  if (!check) throw new Error(`not 17 digits: ${first17}`);
  return first17 + check;
}

/** A number with a Luhn check digit appended. */
function withLuhn(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + String(d))) return body + String(d);
  throw new Error('unreachable');
}

/** The single redaction of `value` inside `text`: its type, and that its span is exactly the value. */
function expectRedacted(text: string, value: string, type: RedactionType): void {
  const r = redact(text);
  const start = text.indexOf(value);
  expect(start, 'test setup: value is in the text').toBeGreaterThanOrEqual(0);
  const hit = r.redactions.find((x) => x.start === start && x.end === start + value.length);
  expect(hit, `${type} ${JSON.stringify(value)} in ${JSON.stringify(text)}: got ${JSON.stringify(r.redactions)}`).toBeDefined();
  expect(hit?.type).toBe(type);
  expect(r.text).not.toContain(value);
  expect(r.text).toContain(hit?.replacement ?? '\u0000');
}

function expectKept(text: string): void {
  const r = redact(text);
  expect(r.redactions, JSON.stringify(r.redactions)).toEqual([]);
  expect(r.text).toBe(text);
}

describe('checksums', () => {
  it('computes the GB 11643 check character, including X', () => {
    // The worked example of GB 11643-1999: 11010519491231002X.
    expect(cnIdCheckChar('11010519491231002')).toBe('X');
    expect(isValidCnIdChecksum('11010519491231002X')).toBe(true);
    expect(isValidCnIdChecksum('11010519491231002x')).toBe(true);
    expect(isValidCnIdChecksum('110105194912310021')).toBe(false);
    expect(isValidCnIdChecksum('230102199108172034')).toBe(true);
    expect(cnIdCheckChar('1234')).toBeUndefined();
  });

  it('checks region and birth date structure for 18- and 15-digit numbers', () => {
    expect(hasCnIdStructure('11010519491231002X')).toBe(true);
    expect(hasCnIdStructure('110105491231002')).toBe(true);
    expect(hasCnIdStructure('990105194912310021')).toBe(false); // no province 99
    expect(hasCnIdStructure('110105199102300021')).toBe(false); // 30 February
    expect(hasCnIdStructure('110105200002290021')).toBe(true); // 2000 is a leap year
    expect(hasCnIdStructure('110105190002290021')).toBe(false); // 1900 is not
  });

  it('runs the Luhn check', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('4111 1111')).toBe(false);
  });
});

describe('redact: Chinese resident ID numbers', () => {
  const id = cnId('44030619850712341');

  it('redacts an 18-digit ID with a valid check digit and says so', () => {
    const text = `身份证号${id},复印件已收`;
    expectRedacted(text, id, 'CN_ID');
    expect(redact(text).redactions[0]?.checksumValid).toBe(true);
  });

  it('redacts an ID ending in X, lower-case x, and written in groups', () => {
    expectRedacted('证件:11010519491231002X。', '11010519491231002X', 'CN_ID');
    expectRedacted('证件:11010519491231002x。', '11010519491231002x', 'CN_ID');
    expectRedacted('证件 110105 19491231 002X 已核验', '110105 19491231 002X', 'CN_ID');
    expectRedacted('证件 110105-19491231-002X 已核验', '110105-19491231-002X', 'CN_ID');
    // Other groupings writers use: 6-4-4-4 and 4-4-4-4-2.
    expectRedacted('身份证230102 1991 0817 2034复印件已收', '230102 1991 0817 2034', 'CN_ID');
    expectRedacted('身份证 2301 0219 9108 1720 34 已核验', '2301 0219 9108 1720 34', 'CN_ID');
  });

  it('finds an ID right after another number, and keeps a following year', () => {
    const text = '电话 138 0013 8000 230102199108172034 2023年入职';
    const r = redact(text);
    expect(r.redactions.map((x) => [x.type, text.slice(x.start, x.end)])).toEqual([
      ['CN_MOBILE', '138 0013 8000'],
      ['CN_ID', '230102199108172034'],
    ]);
    expect(r.text).toContain('2023年入职');
  });

  it('redacts full-width digits and reports offsets in the original text', () => {
    const fullWidth = '１１０１０５１９４９１２３１００２Ｘ';
    expectRedacted(`号码${fullWidth}`, fullWidth, 'CN_ID');
  });

  it('still redacts an ID-shaped number with a wrong check digit, marked checksumValid: false', () => {
    const wrong = `${id.slice(0, 17)}${id.endsWith('0') ? '1' : '0'}`;
    const r = redact(`身份证${wrong}`);
    expect(r.redactions).toHaveLength(1);
    expect(r.redactions[0]?.type).toBe('CN_ID');
    expect(r.redactions[0]?.checksumValid).toBe(false);
  });

  it('redacts a 15-digit legacy ID, which has no check digit', () => {
    const text = '老身份证 110105491231002 已作废';
    expectRedacted(text, '110105491231002', 'CN_ID');
    expect(redact(text).redactions[0]?.checksumValid).toBeUndefined();
  });

  it('keeps numbers that are not IDs: bad province, impossible dates, longer runs', () => {
    expectKept('编号 990105194912310021');
    expectKept('编号 110105199113450021');
    expectKept(`流水号 9${id}9`);
  });
});

describe('redact: phone numbers', () => {
  it('redacts mainland mobile numbers in the usual spellings', () => {
    for (const m of ['13800138000', '138 0013 8000', '138-0013-8000', '+86 138 0013 8000', '+8613800138000', '0086 13800138000', '(+86)13912345678', '１３９１２３４５６７８']) {
      expectRedacted(`有事打我${m}。`, m, 'CN_MOBILE');
    }
  });

  it('redacts landlines with an area code, with extensions', () => {
    for (const l of ['010-12345678', '(010)1234 5678', '0755 8888 6666', '0755-88886666转123', '021-6123-4567', '+86 10 1234 5678', '+86 21 6123 4567 ext. 88']) {
      expectRedacted(`座机${l},工作日可打`, l, 'CN_LANDLINE');
    }
  });

  it('keeps numbers that are not phones: amounts, dates, 10- or 12-digit runs, 12-digit order ids', () => {
    expectKept('2023年营收 138000000元,同比增长12%');
    expectKept('2019年3月入职,工号 13800');
    expectKept('订单 1380013800');
    expectKept('订单 138001380001');
    expectKept('评分 4.5/5,排名 12/300');
    expectKept('批次 0101 1234 5678'); // 0101 is no area code
    expectKept('编号 0012345678');
  });
});

describe('redact: bank cards', () => {
  const card16 = withLuhn('622202123456789');
  const card19 = withLuhn('621700123456789012');

  it('redacts Luhn-valid 16–19 digit cards, grouped or not', () => {
    expectRedacted(`工资卡${card16}`, card16, 'BANK_CARD');
    expectRedacted(`工资卡 ${card19} 请核对`, card19, 'BANK_CARD');
    const grouped = card16.replace(/(\d{4})(?=\d)/g, '$1 ');
    expectRedacted(`卡号:${grouped}。`, grouped, 'BANK_CARD');
    expectRedacted('card 4111-1111-1111-1111 on file', '4111-1111-1111-1111', 'BANK_CARD');
  });

  it('keeps a 16-digit number that fails Luhn (not a card)', () => {
    expectKept('单号 4111111111111112');
  });
});

describe('redact: e-mail addresses', () => {
  it('redacts addresses with dots, plus and sub-domains, without trailing punctuation', () => {
    expectRedacted('邮箱 zhang.san+hr@example.com.cn。', 'zhang.san+hr@example.com.cn', 'EMAIL');
    expectRedacted('Mail me at li_wei@corp-mail.example.org.', 'li_wei@corp-mail.example.org', 'EMAIL');
    expectRedacted('邮箱：wang＠example.com', 'wang＠example.com', 'EMAIL');
  });

  it('keeps an @ that is not an address', () => {
    expectKept('@所有人 明天开会');
    expectKept('price @ 5 per unit');
  });

  it('writes Chinese placeholders for a Chinese sentence even when the address is long', () => {
    const r = redact('离职后请发到 zhang.san.personal.backup@example-mail.com.cn 谢谢');
    expect(r.text).toContain(REDACTION_PLACEHOLDERS.zh.EMAIL);
  });
});

describe('redact: street addresses', () => {
  it('redacts Chinese addresses from the street to the room, keeping the verb before it', () => {
    const cases: Array<[string, string]> = [
      ['我住在北京市朝阳区建国路88号SOHO现代城2号楼301室,离公司远', '北京市朝阳区建国路88号SOHO现代城2号楼301室'],
      ['家住上海市浦东新区张江路100弄5号。', '上海市浦东新区张江路100弄5号'],
      ['搬到成都市高新区天府大道北段1700号了', '成都市高新区天府大道北段1700号'],
      ['地址:成都市人民南路三段17号附近', '成都市人民南路三段17号'],
      ['家住阳光小区3栋2单元501,通勤一小时', '阳光小区3栋2单元501'],
    ];
    for (const [text, address] of cases) expectRedacted(text, address, 'ADDRESS');
  });

  it('keeps a city or district alone (not personal data)', () => {
    expectKept('想回成都照顾父母');
    expectKept('公司在浦东新区,通勤一个半小时');
  });

  it('redacts English addresses with unit, city and postcode', () => {
    const cases: Array<[string, string]> = [
      ['He lives at 1600 Pennsylvania Avenue NW, Washington, DC 20500.', '1600 Pennsylvania Avenue NW, Washington, DC 20500'],
      ['Send it to Flat 3, 221B Baker Street, London NW1 6XE please', 'Flat 3, 221B Baker Street, London NW1 6XE'],
      ['I moved to Room 1203, 88 Century Avenue, Pudong, Shanghai last year', 'Room 1203, 88 Century Avenue, Pudong, Shanghai'],
      ['I live at 42 Elm St. now', '42 Elm St.'],
    ];
    for (const [text, address] of cases) expectRedacted(text, address, 'ADDRESS');
  });

  it('keeps numbers followed by capitalised words that are not streets', () => {
    expectKept('We had 3 Team Meetings and 2 Strategy Days');
  });
});

describe('redact: result shape', () => {
  it('reports types, positions and placeholders for several values, sorted and non-overlapping', () => {
    const id = cnId('32010219900101123');
    const text = `电话13800138000,身份证${id},邮箱a.b@example.com`;
    const r = redact(text);
    expect(r.redactions.map((x) => x.type)).toEqual(['CN_MOBILE', 'CN_ID', 'EMAIL']);
    expect(r.redactions.map((x) => text.slice(x.start, x.end))).toEqual(['13800138000', id, 'a.b@example.com']);
    for (let i = 1; i < r.redactions.length; i++) expect(r.redactions[i]?.start).toBeGreaterThanOrEqual(r.redactions[i - 1]?.end ?? 0);
    expect(r.text).toBe(`电话${REDACTION_PLACEHOLDERS.zh.CN_MOBILE},身份证${REDACTION_PLACEHOLDERS.zh.CN_ID},邮箱${REDACTION_PLACEHOLDERS.zh.EMAIL}`);
  });

  it('does not keep the removed values anywhere in the result', () => {
    const r = redact('call 13800138000 or mail x@example.com');
    expect(JSON.stringify(r)).not.toMatch(/13800138000|x@example\.com/);
  });

  it('uses the requested placeholder language, and English for English text', () => {
    expect(redact('call me on 13800138000').text).toBe(`call me on ${REDACTION_PLACEHOLDERS.en.CN_MOBILE}`);
    expect(redact('call me on 13800138000', { language: 'zh' }).text).toBe(`call me on ${REDACTION_PLACEHOLDERS.zh.CN_MOBILE}`);
  });

  it('is idempotent: redacting the output again changes nothing', () => {
    const once = redact('手机13800138000,住建国路88号2号楼301室,邮箱a@b.cn').text;
    expect(redact(once).text).toBe(once);
    expect(redact(once).redactions).toEqual([]);
  });

  it('guardText scans the redacted text, so no hit repeats a removed value', () => {
    const g = guardText('王经理的手机是13800138000,他说我太情绪化');
    expect(g.redacted.text).not.toContain('13800138000');
    for (const h of g.hits) expect(g.redacted.text.slice(h.start, h.end)).toBe(h.match);
    expect(g.flags).toContain('THIRD_PARTY_NAME');
  });
});

describe('redact: identifiers and addresses seen in unseen-text reviews', () => {
  it('a 16-digit card followed by a space and any digit: the card goes, the digit stays', () => {
    const card = withLuhn('411111111111111');
    for (let d = 0; d <= 9; d++) {
      for (const written of [card, card.replace(/(\d{4})(?=\d)/g, '$1 ')]) {
        const text = `卡号${written} ${d}张`;
        const r = redact(text);
        expect(r.text, text).toBe(`卡号${REDACTION_PLACEHOLDERS.zh.BANK_CARD} ${d}张`);
      }
    }
  });

  it('a 19-digit card printed 4-4-4-4-3 is removed whole', () => {
    const card = withLuhn('621700000000000012');
    const grouped = `${card.slice(0, 4)} ${card.slice(4, 8)} ${card.slice(8, 12)} ${card.slice(12, 16)} ${card.slice(16)}`;
    expectRedacted(`工资卡 ${grouped} 。`, grouped, 'BANK_CARD');
  });

  it('mobiles with dots, IDs in full-width digits or with zero-width spaces', () => {
    expectRedacted('手机 138.1234.5678 随时联系', '138.1234.5678', 'CN_MOBILE');
    const id = cnId('11010519491231002');
    const full = id.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    expectRedacted(`身份证${full}。`, full, 'CN_ID');
    const zw = `${id.slice(0, 6)}\u200b${id.slice(6, 14)}\u200b${id.slice(14)}`;
    expectRedacted(`身份证${zw}。`, zw, 'CN_ID');
    expect(redact('金额 1.5 万,增长 3.2%').redactions).toEqual([]);
  });

  it('passports, WeChat and QQ ids: the id goes, the cue word stays', () => {
    expectRedacted('护照号E12345678,下周出差', 'E12345678', 'PASSPORT');
    expectRedacted('Passport no. G23456789 expires soon', 'G23456789', 'PASSPORT');
    expectRedacted('加我微信 zhang_wei88 聊', 'zhang_wei88', 'IM_ACCOUNT');
    expectRedacted('我的QQ:123456789', '123456789', 'IM_ACCOUNT');
    expectRedacted('WeChat ID: priya-2020, ping me', 'priya-2020', 'IM_ACCOUNT');
    expect(redact('微信 message 里说过').redactions).toEqual([]);
    expect(redact('Q3 revenue grew, E-commerce team').redactions).toEqual([]);
  });

  it('traditional Chinese, US and UK addresses', () => {
    expectRedacted('我住在忠孝東路四段123號5樓,通勤很遠', '忠孝東路四段123號5樓', 'ADDRESS');
    expectRedacted('搬到九龍彌敦道100號了', '九龍彌敦道100號', 'ADDRESS');
    expectRedacted('I live at 350 5th Ave, Apt 12C, New York, NY 10118 now.', '350 5th Ave, Apt 12C, New York, NY 10118', 'ADDRESS');
    expectRedacted('She moved to RG1 4AB last year.', 'RG1 4AB', 'ADDRESS');
  });
});
