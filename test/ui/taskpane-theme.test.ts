import { describe, expect, it } from 'vitest';
import { officeThemeKind } from '../../addin/taskpane/theme';

describe('the task pane follows the Office theme', () => {
  it('maps Office body colours to light or dark', () => {
    expect(officeThemeKind({ bodyBackgroundColor: '#FFFFFF' })).toBe('light'); // Colorful / White
    expect(officeThemeKind({ bodyBackgroundColor: '#E6E6E6' })).toBe('light'); // Light gray
    expect(officeThemeKind({ bodyBackgroundColor: '#262626' })).toBe('dark'); // Black
    expect(officeThemeKind({ bodyBackgroundColor: '#444444' })).toBe('dark'); // Dark gray
  });
  it('says nothing when Office says nothing', () => {
    expect(officeThemeKind(undefined)).toBeUndefined();
    expect(officeThemeKind({})).toBeUndefined();
    expect(officeThemeKind({ bodyBackgroundColor: 'not-a-colour' })).toBeUndefined();
  });
});
