/** Office's theme as the panel's light/dark choice. */
import type { PanelTheme } from '../../shared/ui/deps';

/**
 * Dark when Office's body background is dark (`Office.context.officeTheme.bodyBackgroundColor`, e.g. `#262626`
 * in the Black theme); undefined when Office does not say (then the panel follows the page's colour scheme).
 */
export function officeThemeKind(theme: { bodyBackgroundColor?: string } | undefined): PanelTheme | undefined {
  const hex = theme?.bodyBackgroundColor?.replace('#', '');
  if (!hex || !/^[0-9a-f]{6}$/i.test(hex)) return undefined;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  // Relative luminance (sRGB approximation): below 0.4 is a dark theme.
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.4 ? 'dark' : 'light';
}
