/**
 * What a generation produced, shown before anything touches the document: the sections (streaming, then final),
 * what was redacted (counts and types, never the values), sensitive-term hits with suggested rewrites, and the
 * output problems left after repair.
 */
import { Badge, Caption1, makeStyles, MessageBar, MessageBarBody, MessageBarTitle, Text, tokens } from '@fluentui/react-components';
import type { ReactElement } from 'react';
import type { GuardHit, RedactionType } from '../guard/types';
import type { PartialParse } from '../output/types';
import type { GenerationResult } from '../pipeline/types';
import { describePlacement } from '../pipeline/ninebox';
import type { Template } from '../templates/schema';
import type { Strings } from './i18n';

const useStyles = makeStyles({
  sections: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  section: {
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  heading: { display: 'block', fontWeight: tokens.fontWeightSemibold, marginBottom: tokens.spacingVerticalXXS },
  body: { whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
  hit: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalXS, alignItems: 'baseline' },
  rewrite: { color: tokens.colorNeutralForeground2 },
  group: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
});

/** The sections as they stream in (live region: screen readers hear each addition). */
export function StreamingPreview({ partial, strings: t, downloading }: { partial: PartialParse | undefined; strings: Strings; downloading?: boolean }): ReactElement {
  const s = useStyles();
  return (
    <div className={s.sections} aria-live="polite" aria-busy="true" data-testid="preview-streaming">
      {(partial?.sections ?? []).map((sec) => (
        <div key={sec.key} className={s.section} data-section={sec.key}>
          <Text className={s.heading}>{sec.heading}</Text>
          <Text className={s.body}>{sec.body}</Text>
        </div>
      ))}
      {(partial?.sections.length ?? 0) === 0 && <Caption1>{downloading ? t.downloadingFirst : t.generating}</Caption1>}
    </div>
  );
}

/** The final record's sections, in template order. */
export function FinalSections({ result, template }: { result: GenerationResult; template: Template }): ReactElement {
  const s = useStyles();
  return (
    <div className={s.sections} aria-live="polite" data-testid="preview-final">
      {result.refusal && (
        <MessageBar intent="warning" data-testid="refusal">
          <MessageBarBody>{result.refusal.message}</MessageBarBody>
        </MessageBar>
      )}
      {result.nineBox && (
        <Caption1 data-testid="nine-box-placement">{describePlacement(template, result.nineBox)}</Caption1>
      )}
      {template.sections
        .filter((sec) => result.sections[sec.key] !== undefined)
        .map((sec) => (
          <div key={sec.key} className={s.section} data-section={sec.key}>
            <Text className={s.heading}>{sec.heading}</Text>
            <Text className={s.body}>{result.sections[sec.key]}</Text>
          </div>
        ))}
    </div>
  );
}

function countByType(result: GenerationResult): Array<[RedactionType, number]> {
  const counts = new Map<RedactionType, number>();
  for (const r of result.redactions) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts];
}

const ACTION_COLOR = { BLOCK: 'danger', ESCALATE: 'important', WARN: 'warning' } as const;

function HitItem({ hit, where, strings: t }: { hit: GuardHit; where: string; strings: Strings }): ReactElement {
  const s = useStyles();
  return (
    <li className={s.hit} data-flag={hit.flag}>
      <Badge appearance="filled" color={ACTION_COLOR[hit.action]}>
        {t.action[hit.action]}
      </Badge>
      <Text>
        「{hit.match}」 {where}: {hit.message}
      </Text>
      {hit.rewrite && (
        <Text className={s.rewrite}>
          {t.suggestedRewrite}: {hit.rewrite}
        </Text>
      )}
    </li>
  );
}

/** Guard flags, redactions and problems; `data-testid="flags"` for tests. */
export function FlagsView({ result, strings: t }: { result: GenerationResult; strings: Strings }): ReactElement {
  const s = useStyles();
  const redactions = countByType(result);
  // The same term often appears in source and output; list each (where, flag, match) once.
  const seen = new Set<string>();
  const hits: Array<{ hit: GuardHit; where: string }> = [];
  for (const [list, where] of [
    [result.sourceHits, t.inSource],
    [result.outputHits, t.inOutput],
  ] as const) {
    for (const hit of list) {
      const k = `${where}|${hit.flag}|${hit.match}`;
      if (seen.has(k)) continue;
      seen.add(k);
      hits.push({ hit, where });
    }
  }
  const severity = { BLOCK: 0, ESCALATE: 1, WARN: 2 } as const;
  hits.sort((a, b) => severity[a.hit.action] - severity[b.hit.action]);
  const otherFlags = result.flags.filter((f) => !hits.some((h) => h.hit.flag === f.flag));
  return (
    <section aria-labelledby="liuhen-flags-title" className={s.group} data-testid="flags">
      <Text id="liuhen-flags-title" weight="semibold">
        {t.flagsTitle}
      </Text>
      {result.review.length > 0 && (
        <MessageBar intent="warning" data-testid="review-needed">
          <MessageBarBody>
            <MessageBarTitle>{t.reviewNeeded}</MessageBarTitle>
            {result.review.map((r) => (
              <div key={r}>{t.review[r]}</div>
            ))}
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={s.group} data-testid="redactions">
        <Caption1>{t.redactedTitle}</Caption1>
        {redactions.length === 0 ? (
          <Text size={200}>{t.redactedNone}</Text>
        ) : (
          <ul className={s.list}>
            {redactions.map(([type, n]) => (
              <li key={type} data-redaction={type}>
                {n} × {t.redactionType[type]}
              </li>
            ))}
          </ul>
        )}
      </div>
      {hits.length > 0 && (
        <div className={s.group} data-testid="hits">
          <Caption1>{t.hitsTitle}</Caption1>
          <ul className={s.list}>
            {hits.map(({ hit, where }, i) => (
              <HitItem key={i} hit={hit} where={where} strings={t} />
            ))}
          </ul>
        </div>
      )}
      {otherFlags.length > 0 && (
        <ul className={s.list} data-testid="other-flags">
          {otherFlags.map((f, i) => (
            <li key={i} data-flag={f.flag}>
              <Badge appearance="outline">{f.flag}</Badge>
            </li>
          ))}
        </ul>
      )}
      {(result.withheld?.length ?? 0) > 0 && (
        <div className={s.group} data-testid="withheld">
          <Caption1>{t.withheldTitle}</Caption1>
          <ul className={s.list}>
            {result.withheld?.map((w, i) => (
              <li key={i} data-where={w.where}>
                {w.where}: {w.reasons.join(' · ')}
                {(w.handlers?.length ?? 0) > 0 && ` → ${w.handlers?.join(' · ') ?? ''}`}
              </li>
            ))}
          </ul>
        </div>
      )}
      {(result.conflicts?.length ?? 0) > 0 && (
        <div className={s.group} data-testid="conflicts">
          <Caption1>{t.conflictsTitle}</Caption1>
          <ul className={s.list}>
            {result.conflicts?.map((c, i) => (
              <li key={i}>
                {c.fields.join(' ↔ ')}: {c.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result.problems.length > 0 && (
        <div className={s.group} data-testid="problems">
          <Caption1>{t.problemsTitle}</Caption1>
          <ul className={s.list}>
            {result.problems.map((p, i) => (
              <li key={i} data-problem={p.code}>
                <Text weight="semibold">{t.problem[p.code]}</Text> <Text size={200}>{p.message}</Text>
              </li>
            ))}
          </ul>
        </div>
      )}
      {result.repaired.length > 0 && (
        <details>
          <summary>
            {t.repairedTitle} ({result.repaired.length})
          </summary>
          <ul className={s.list}>
            {result.repaired.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
