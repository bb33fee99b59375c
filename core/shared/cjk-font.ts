import { existsSync } from 'node:fs';

/**
 * A font with Simplified Chinese glyphs for generated PDFs (agreements). PDF viewers cannot be
 * relied on to substitute CJK fonts, so the document embeds a subset of one found on this machine:
 * PDF_FONT_PATH (a .ttf/.otf/.ttc; PDF_FONT_NAME picks the face inside a .ttc), else the usual
 * places of Noto Sans CJK / Source Han Sans / WenQuanYi on Debian/Ubuntu, Fedora, macOS and Windows.
 */
export interface FontFile {
  path: string;
  /** The face inside a collection (.ttc). */
  family?: string;
}

const CANDIDATES: FontFile[] = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', family: 'NotoSerifCJKsc-Regular' },
  { path: '/usr/share/fonts/adobe-source-han-sans/SourceHanSansCN-Regular.otf' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
  { path: '/System/Library/Fonts/PingFang.ttc', family: 'PingFangSC-Regular' },
  { path: '/System/Library/Fonts/STHeiti Light.ttc', family: 'STHeitiSC-Light' },
  { path: 'C:\\Windows\\Fonts\\msyh.ttc', family: 'MicrosoftYaHei' },
  { path: 'C:\\Windows\\Fonts\\simhei.ttf' },
];

export function findCjkFont(env: Record<string, string | undefined> = process.env): FontFile | undefined {
  if (env.PDF_FONT_PATH) return existsSync(env.PDF_FONT_PATH) ? { path: env.PDF_FONT_PATH, family: env.PDF_FONT_NAME || undefined } : undefined;
  return CANDIDATES.find((c) => existsSync(c.path));
}

export const FONT_MISSING_MESSAGE = '服务器缺少中文字体，暂时无法生成 PDF（请安装 fonts-noto-cjk，或用 PDF_FONT_PATH 指定字体文件）';
