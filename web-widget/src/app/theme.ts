// The centre's colour, kept readable: text on it is white or near-black, whichever contrasts more
// (WCAG 2.2 AA needs 4.5:1); a colour that is not a hex value falls back to the default.
const DEFAULT = '#1f5fa8';

function luminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * ch[0]! + 0.7152 * ch[1]! + 0.0722 * ch[2]!;
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

export function themeColors(color: string): { bg: string; fg: string } {
  let bg = /^#[0-9a-fA-F]{6}$/.test(color) ? color : /^#[0-9a-fA-F]{3}$/.test(color) ? '#' + [...color.slice(1)].map((c) => c + c).join('') : DEFAULT;
  let fg = contrast(bg, '#ffffff') >= contrast(bg, '#111111') ? '#ffffff' : '#111111';
  if (contrast(bg, fg) < 4.5) {
    bg = DEFAULT;
    fg = '#ffffff';
  }
  return { bg, fg };
}
