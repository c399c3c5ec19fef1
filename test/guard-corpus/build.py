"""
Builds the guard's labelled corpus (dev.json, measure.json) from the sentence lists below.

Markup: [[category|text]] marks a span; category is one of identifier, address, trait, allegation, name, vague.
Slots {ID} {MOBILE} {CARD} {EMAIL} {PASSPORT} {WECHAT} {QQ} {LANDLINE} are filled with generated values
(valid check digits) and labelled identifier. Each sentence is instantiated `REPEAT` times with fresh values.
The two splits share no sentence, and their generated values come from different random seeds. Tune on dev only.
Run: python3 test/guard-corpus/build.py
"""
import json, random, re, os

HERE = os.path.dirname(os.path.abspath(__file__))

def luhn_complete(body):
    for d in range(10):
        s = body + str(d)
        total = 0
        for i, ch in enumerate(reversed(s)):
            n = int(ch)
            if i % 2 == 1:
                n *= 2
                if n > 9: n -= 9
            total += n
        if total % 10 == 0: return s

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def cn_id(rng):
    region = rng.choice(['110105', '310104', '440305', '510107', '330106', '420111', '210102', '650102'])
    y = rng.randint(1960, 2003); m = rng.randint(1, 12); d = rng.randint(1, 28)
    first = f'{region}{y:04d}{m:02d}{d:02d}{rng.randint(0, 999):03d}'
    check = '10X98765432'[sum(int(c) * w for c, w in zip(first, W)) % 11]
    return first + check

def fullwidth(s): return ''.join(chr(ord(c) + 0xfee0) if '!' <= c <= '~' else c for c in s)

def gen(slot, rng):
    if slot == 'ID':
        v = cn_id(rng)
        style = rng.choice(['plain', 'plain', 'space', 'full', 'zw'])
        if style == 'space': v = f'{v[:6]} {v[6:14]} {v[14:]}'
        elif style == 'full': v = fullwidth(v)
        elif style == 'zw': v = '\u200b'.join([v[:6], v[6:14], v[14:]])
        return v
    if slot == 'MOBILE':
        v = rng.choice(['13', '15', '17', '18', '19']) + str(rng.randint(0, 9)) + f'{rng.randint(0, 99999999):08d}'
        style = rng.choice(['plain', 'dash', 'dot', 'space', 'plus'])
        if style == 'dash': v = f'{v[:3]}-{v[3:7]}-{v[7:]}'
        elif style == 'dot': v = f'{v[:3]}.{v[3:7]}.{v[7:]}'
        elif style == 'space': v = f'{v[:3]} {v[3:7]} {v[7:]}'
        elif style == 'plus': v = f'+86 {v}'
        return v
    if slot == 'CARD':
        v = luhn_complete(rng.choice(['6222', '6217', '6228', '4111', '5500']) + ''.join(str(rng.randint(0, 9)) for _ in range(11)))
        return ' '.join(v[i:i + 4] for i in range(0, 16, 4)) if rng.random() < 0.5 else v
    if slot == 'EMAIL':
        return rng.choice(['li.ming', 'zhangwei88', 'a.kumar', 'j_smith', 'hr-team', 'wangfang2020']) + '@' + rng.choice(['example.com', 'corp.cn', 'mail.com.cn', 'outlook.com'])
    if slot == 'PASSPORT':
        return rng.choice(['E', 'G', 'EA'])[0:2] + ''.join(str(rng.randint(0, 9)) for _ in range(8 if rng.random() < 0.7 else 7))
    if slot == 'WECHAT':
        return rng.choice(['wx_', 'zhang', 'lily', 'kevin', 'amy_']) + rng.choice(['wei', 'chen', 'hr', '']) + str(rng.randint(10, 9999))
    if slot == 'QQ':
        return str(rng.randint(10000, 2999999999))
    if slot == 'LANDLINE':
        return rng.choice(['010-', '021-', '0755-', '(020)']) + str(rng.randint(2, 8)) + f'{rng.randint(0, 9999999):07d}'
    raise KeyError(slot)

SPAN = re.compile(r'\[\[(\w+)\|(.+?)\]\]|\{(\w+)\}')

def instantiate(template, rng):
    text, spans, pos = '', [], 0
    for m in SPAN.finditer(template):
        text += template[pos:m.start()]
        if m.group(3):
            value, cat = gen(m.group(3), rng), 'identifier'
        else:
            cat, value = m.group(1), m.group(2)
        spans.append({'start': len(text), 'end': len(text) + len(value), 'category': cat})
        text += value
        pos = m.end()
    text += template[pos:]
    return {'text': text, 'spans': spans}

def build(name, sentences, seed, repeat_slots=3):
    rng = random.Random(seed)
    items = []
    for s in sentences:
        n = repeat_slots if '{' in s else 1
        for _ in range(n):
            item = instantiate(s, rng)
            item['lang'] = 'en' if re.search(r'[A-Za-z]{4}', SPAN.sub('', s)) and not re.search(r'[\u4e00-\u9fff]', SPAN.sub('', s)) else 'zh'
            items.append(item)
    with open(os.path.join(HERE, f'{name}.json'), 'w', encoding='utf-8') as f:
        json.dump({'split': name, 'items': items}, f, ensure_ascii=False, indent=1)
    print(name, len(items), 'items', sum(len(i['spans']) for i in items), 'spans')

from sentences import DEV, MEASURE  # noqa: E402
build('dev', DEV, 13)
build('measure', MEASURE, 2026)
