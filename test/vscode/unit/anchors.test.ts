/**
 * Where an insertion lands after the writer kept editing: the anchor of a selection read before generating.
 */
import { describe, expect, it } from 'vitest';
import { AnchorTracker, shiftOffset } from '../../../extension/src/anchors';

const doc = 'file:///a.md';

describe('AnchorTracker', () => {
  it('moves a selection down when text is typed above it, and leaves it when typed below', () => {
    const t = new AnchorTracker();
    const id = t.track('selection', { uri: doc, start: 10, end: 20 });
    t.applyChanges(doc, [{ rangeOffset: 0, rangeLength: 0, text: 'abc' }]);
    expect(t.get(id)).toMatchObject({ start: 13, end: 23 });
    t.applyChanges(doc, [{ rangeOffset: 40, rangeLength: 5, text: '' }]);
    expect(t.get(id)).toMatchObject({ start: 13, end: 23 });
  });

  it('grows with text typed inside the selection and keeps its end after text typed right at its end', () => {
    const t = new AnchorTracker();
    const id = t.track('selection', { uri: doc, start: 10, end: 20 });
    t.applyChanges(doc, [{ rangeOffset: 15, rangeLength: 0, text: 'xy' }]);
    expect(t.get(id)).toMatchObject({ start: 10, end: 22 });
    t.applyChanges(doc, [{ rangeOffset: 22, rangeLength: 0, text: '!' }]);
    expect(t.get(id)).toMatchObject({ start: 10, end: 23 });
  });

  it('shrinks to what is left when the selection is partly deleted', () => {
    const t = new AnchorTracker();
    const id = t.track('selection', { uri: doc, start: 10, end: 20 });
    t.applyChanges(doc, [{ rangeOffset: 5, rangeLength: 10, text: '' }]);
    expect(t.get(id)).toMatchObject({ start: 5, end: 10 });
  });

  it('applies several changes of one event (offsets before the event) in any order', () => {
    const t = new AnchorTracker();
    const id = t.track('selection', { uri: doc, start: 10, end: 20 });
    t.applyChanges(doc, [
      { rangeOffset: 0, rangeLength: 0, text: '12' },
      { rangeOffset: 30, rangeLength: 0, text: 'zzz' },
      { rangeOffset: 12, rangeLength: 2, text: '' },
    ]);
    expect(t.get(id)).toMatchObject({ start: 12, end: 20 });
  });

  it('ignores other documents, forgets closed ones and keeps only recent anchors', () => {
    const t = new AnchorTracker();
    const id = t.track('selection', { uri: doc, start: 10, end: 20 });
    t.applyChanges('file:///other.md', [{ rangeOffset: 0, rangeLength: 0, text: 'abc' }]);
    expect(t.get(id)).toMatchObject({ start: 10, end: 20 });
    t.forgetDocument(doc);
    expect(t.get(id)).toBeUndefined();
    for (let i = 0; i < 100; i += 1) t.track('selection', { uri: doc, start: i, end: i }, 8);
    expect(t.size).toBe(8);
  });

  it('shiftOffset: an offset inside a replaced range goes to its start or end', () => {
    const change = { rangeOffset: 10, rangeLength: 5, text: 'abcdefg' };
    expect(shiftOffset(12, change, false)).toBe(10);
    expect(shiftOffset(12, change, true)).toBe(17);
    expect(shiftOffset(20, change, false)).toBe(22);
  });
});
