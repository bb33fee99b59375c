import sharp from 'sharp';
import { findCjkFont } from '../shared/cjk-font';

/**
 * The demo's product pictures, drawn here (no downloads): per top category a palette and a motif (a rice
 * ear, a drumstick, a fruit, a tea cup, mountains, a chilli, a bottle, a woven basket, a pastry, a fish) —
 * or, when the name says what it is, that thing's (a bowl of rice, an oil bottle, a jar, a gift box…) — the
 * product's own colour on the motif, a few deterministic variations from the name (the motif's tilt, the
 * pattern in the background), and the name on a card at the bottom when a CJK font is installed.
 */
interface Palette {
  bg: [string, string];
  ink: string;
  label: string;
}

const PALETTES: Record<string, Palette> = {
  grain: { bg: ['#fdf3dc', '#f3d9a0'], ink: '#8a5a14', label: '粮油' },
  meat: { bg: ['#fde8e4', '#f4b9ab'], ink: '#8f2f22', label: '肉禽蛋' },
  fresh: { bg: ['#e9f7e4', '#b9e2a8'], ink: '#2f6b23', label: '果蔬' },
  tea: { bg: ['#e6f4ec', '#a9d8bd'], ink: '#1f5c3d', label: '茶饮' },
  mountain: { bg: ['#eef4e2', '#c3d9a0'], ink: '#4a5d23', label: '山货特产' },
  seasoning: { bg: ['#fdebe3', '#f6b79c'], ink: '#9a2a12', label: '调味品' },
  liquor: { bg: ['#f1e9f7', '#cdb5e3'], ink: '#5b2a7a', label: '酒水' },
  craft: { bg: ['#e6f1fa', '#a9cdea'], ink: '#1e4f7a', label: '手工艺品' },
  snack: { bg: ['#fff0e0', '#f8c992'], ink: '#8a4a10', label: '休闲食品' },
  aquatic: { bg: ['#e2f4f7', '#9fd5e0'], ink: '#135866', label: '水产' },
};

/** The motif of a top category, drawn in a 400×400 box centred on (0,0), in the product's colour `c`. */
const MOTIFS: Record<string, (c: string, ink: string) => string> = {
  grain: (c, ink) => `
    <path d="M0 170 C -10 60 -5 -60 0 -170" stroke="${ink}" stroke-width="10" fill="none" stroke-linecap="round"/>
    ${[-130, -85, -40, 5, 50]
      .map(
        (y, i) => `<ellipse cx="-38" cy="${y}" rx="30" ry="16" fill="${c}" transform="rotate(-35 -38 ${y})" opacity="${0.95 - i * 0.05}"/>
    <ellipse cx="38" cy="${y + 20}" rx="30" ry="16" fill="${c}" transform="rotate(35 38 ${y + 20})" opacity="${0.95 - i * 0.05}"/>`,
      )
      .join('')}
    <ellipse cx="0" cy="-178" rx="16" ry="26" fill="${c}"/>`,
  meat: (c, ink) => `
    <ellipse cx="-30" cy="-30" rx="120" ry="95" fill="${c}" transform="rotate(-30 -30 -30)"/>
    <ellipse cx="-50" cy="-55" rx="55" ry="30" fill="#ffffff" opacity="0.25" transform="rotate(-30 -50 -55)"/>
    <rect x="50" y="40" width="36" height="120" rx="14" fill="#fbf3e6" transform="rotate(-40 68 100)" stroke="${ink}" stroke-width="6"/>
    <circle cx="130" cy="130" r="26" fill="#fbf3e6" stroke="${ink}" stroke-width="6"/>
    <circle cx="150" cy="104" r="24" fill="#fbf3e6" stroke="${ink}" stroke-width="6"/>`,
  fresh: (c, ink) => `
    <circle cx="0" cy="20" r="140" fill="${c}"/>
    <ellipse cx="-50" cy="-30" rx="40" ry="26" fill="#ffffff" opacity="0.3" transform="rotate(-30 -50 -30)"/>
    <path d="M0 -115 C 5 -150 10 -165 20 -180" stroke="${ink}" stroke-width="10" fill="none" stroke-linecap="round"/>
    <path d="M15 -150 C 60 -200 120 -180 130 -150 C 90 -120 40 -125 15 -150 Z" fill="#4c9a3a"/>`,
  tea: (c, ink) => `
    <path d="M-150 -20 L150 -20 L120 130 Q115 160 85 160 L-85 160 Q-115 160 -120 130 Z" fill="${c}"/>
    <path d="M150 10 Q210 10 200 60 Q190 105 130 100" stroke="${c}" stroke-width="20" fill="none"/>
    <ellipse cx="0" cy="-20" rx="150" ry="24" fill="${ink}" opacity="0.35"/>
    ${[-60, 0, 60].map((x) => `<path d="M${x} -60 q-25 -40 0 -80 q25 -40 0 -80" stroke="${ink}" stroke-width="9" fill="none" opacity="0.45" stroke-linecap="round"/>`).join('')}
    <path d="M-110 120 C -60 60 20 70 40 110 C 0 150 -70 150 -110 120 Z" fill="#3f8f52" opacity="0.9"/>`,
  mountain: (c, ink) => `
    <circle cx="110" cy="-110" r="50" fill="#f6c85f"/>
    <path d="M-200 170 L-60 -90 L40 60 L100 -20 L200 170 Z" fill="${c}"/>
    <path d="M-60 -90 L-95 -25 L-60 -45 L-30 -30 Z" fill="#ffffff" opacity="0.8"/>
    <path d="M-200 170 Q-60 110 40 150 T200 140 L200 170 Z" fill="${ink}" opacity="0.35"/>`,
  seasoning: (c, ink) => `
    <path d="M-40 -120 C 60 -120 130 -20 110 90 C 100 150 60 180 30 170 C 60 100 40 -10 -50 -60 Z" fill="${c}" transform="rotate(-20)"/>
    <path d="M-40 -120 C -70 -150 -60 -190 -30 -200" stroke="#3f7d2a" stroke-width="14" fill="none" stroke-linecap="round" transform="rotate(-20)"/>
    <path d="M-60 -110 C -30 -140 10 -135 20 -110 C -10 -95 -40 -95 -60 -110 Z" fill="#4c9a3a" transform="rotate(-20)"/>
    <path d="M10 -70 C 60 -40 80 20 70 80" stroke="#ffffff" stroke-width="12" fill="none" opacity="0.35" stroke-linecap="round" transform="rotate(-20)"/>`,
  liquor: (c, ink) => `
    <path d="M-30 -190 L30 -190 L30 -110 Q90 -80 90 -10 L90 160 Q90 180 70 180 L-70 180 Q-90 180 -90 160 L-90 -10 Q-90 -80 -30 -110 Z" fill="${c}"/>
    <rect x="-34" y="-205" width="68" height="30" rx="6" fill="${ink}"/>
    <rect x="-70" y="10" width="140" height="110" rx="10" fill="#fffaf0" opacity="0.92"/>
    <circle cx="0" cy="65" r="34" fill="none" stroke="${ink}" stroke-width="6"/>
    <path d="M-60 -40 Q-60 -80 -25 -95" stroke="#ffffff" stroke-width="10" fill="none" opacity="0.4" stroke-linecap="round"/>`,
  craft: (c, ink) => `
    <path d="M-160 -40 L160 -40 L120 160 L-120 160 Z" fill="${c}"/>
    ${[0, 1, 2, 3]
      .map((i) => `<path d="M${-150 + i * 10} ${-5 + i * 42} L${150 - i * 10} ${-5 + i * 42}" stroke="${ink}" stroke-width="8" opacity="0.45"/>`)
      .join('')}
    ${[-90, -30, 30, 90].map((x) => `<path d="M${x} -40 L${x * 0.75} 160" stroke="#ffffff" stroke-width="8" opacity="0.35"/>`).join('')}
    <path d="M-130 -40 Q0 -220 130 -40" stroke="${ink}" stroke-width="14" fill="none"/>`,
  snack: (c, ink) => `
    <ellipse cx="0" cy="110" rx="180" ry="40" fill="${ink}" opacity="0.25"/>
    <path d="M-150 90 L-130 -30 Q0 -90 130 -30 L150 90 Q0 130 -150 90 Z" fill="${c}"/>
    <path d="M-130 -30 Q0 -90 130 -30 Q0 20 -130 -30 Z" fill="#fff6e5" opacity="0.85"/>
    ${[-80, -20, 40, 95].map((x, i) => `<circle cx="${x}" cy="${-30 + (i % 2) * 14}" r="10" fill="${ink}" opacity="0.6"/>`).join('')}
    <path d="M-40 -80 Q0 -150 40 -80" fill="#e84a3b"/>`,
  aquatic: (c, ink) => `
    <path d="M-170 0 C -100 -110 80 -110 130 0 C 80 110 -100 110 -170 0 Z" fill="${c}"/>
    <path d="M120 0 L200 -70 L185 0 L200 70 Z" fill="${c}"/>
    <circle cx="-110" cy="-15" r="14" fill="#ffffff"/><circle cx="-110" cy="-15" r="7" fill="${ink}"/>
    ${[-40, 10, 60].map((x) => `<path d="M${x} -55 Q${x + 25} 0 ${x} 55" stroke="#ffffff" stroke-width="7" fill="none" opacity="0.45"/>`).join('')}
    ${[0, 1, 2].map((i) => `<circle cx="${-160 + i * 25}" cy="${-110 - i * 40}" r="${10 + i * 4}" fill="none" stroke="${ink}" stroke-width="5" opacity="0.5"/>`).join('')}`,
};

/**
 * Motifs of what a product is, chosen by a word of its name before its category's (a category's items
 * should not all look alike: flour, noodles, rice and oil are all 粮油). First match wins.
 */
const NAMED_MOTIFS: [RegExp, (c: string, ink: string) => string][] = [
  [/酒/, (c, ink) => MOTIFS.liquor!(c, ink)], // 米酒 is a drink, not a bowl of rice
  [
    /礼盒|礼包/,
    (c, ink) => `
    <rect x="-150" y="-60" width="300" height="220" rx="14" fill="${c}"/>
    <rect x="-165" y="-105" width="330" height="60" rx="12" fill="${c}" stroke="${ink}" stroke-width="6" stroke-opacity="0.35"/>
    <rect x="-22" y="-105" width="44" height="265" fill="#e84a3b"/>
    <path d="M0 -105 C -40 -180 -120 -160 -90 -115 Z M0 -105 C 40 -180 120 -160 90 -115 Z" fill="#e84a3b"/>
    <rect x="-150" y="-45" width="300" height="14" fill="${ink}" opacity="0.15"/>`,
  ],
  [
    /油/,
    (c, ink) => `
    <path d="M-24 -180 L24 -180 L24 -120 Q100 -90 100 -20 L100 160 Q100 180 80 180 L-80 180 Q-100 180 -100 160 L-100 -20 Q-100 -90 -24 -120 Z" fill="${c}" opacity="0.92"/>
    <rect x="-30" y="-200" width="60" height="28" rx="6" fill="${ink}"/>
    <path d="M0 10 C 40 60 50 90 50 110 A50 50 0 0 1 -50 110 C -50 90 -40 60 0 10 Z" fill="#fff6d6" opacity="0.9"/>
    <path d="M-70 -30 Q-70 -70 -35 -85" stroke="#ffffff" stroke-width="10" fill="none" opacity="0.45" stroke-linecap="round"/>`,
  ],
  [
    /蜜|酱|腐乳|罐头/,
    (c, ink) => `
    <rect x="-120" y="-70" width="240" height="240" rx="40" fill="${c}"/>
    <rect x="-135" y="-130" width="270" height="66" rx="14" fill="${ink}"/>
    <rect x="-90" y="0" width="180" height="110" rx="12" fill="#fffaf0" opacity="0.92"/>
    <path d="M-50 55 L0 20 L50 55 L0 90 Z" fill="${c}" opacity="0.8"/>
    <path d="M-95 -40 Q-100 40 -80 120" stroke="#ffffff" stroke-width="12" fill="none" opacity="0.35" stroke-linecap="round"/>`,
  ],
  [
    /(?<!腐)竹|笋/, // not 腐竹 (tofu skin)
    (c, ink) => `
    ${[-90, 0, 90]
      .map(
        (x, i) => `<rect x="${x - 26}" y="${-190 + i * 30}" width="52" height="${360 - i * 30}" rx="18" fill="${c}" opacity="${1 - i * 0.12}"/>
    ${[0, 1, 2].map((k) => `<rect x="${x - 30}" y="${-120 + i * 30 + k * 100}" width="60" height="10" rx="5" fill="${ink}" opacity="0.45"/>`).join('')}`,
      )
      .join('')}
    <path d="M40 -150 C 90 -200 150 -190 170 -160 C 120 -140 80 -140 40 -150 Z" fill="#4c9a3a"/>`,
  ],
  [
    /菇|菌|木耳/,
    (c, ink) => `
    <path d="M-170 10 C -170 -140 170 -140 170 10 Q0 50 -170 10 Z" fill="${c}"/>
    ${[-90, -20, 60, 110].map((x, i) => `<circle cx="${x}" cy="${-60 + (i % 2) * 30}" r="${16 + (i % 3) * 5}" fill="#ffffff" opacity="0.55"/>`).join('')}
    <path d="M-55 30 Q-70 150 -40 170 L40 170 Q70 150 55 30 Z" fill="#f6ead2" stroke="${ink}" stroke-width="6" stroke-opacity="0.4"/>`,
  ],
  [
    /核桃|板栗|花生|瓜子/,
    (c, ink) => `
    ${[
      [-70, 20, 110],
      [85, 50, 90],
    ]
      .map(
        ([x, y, r]) => `<circle cx="${x}" cy="${y}" r="${r}" fill="${c}"/>
    <path d="M${x} ${y! - r!} Q${x! - 30} ${y} ${x} ${y! + r!}" stroke="${ink}" stroke-width="7" fill="none" opacity="0.5"/>
    <path d="M${x! - r! * 0.6} ${y! - r! * 0.3} q25 20 0 40 q-25 20 0 40" stroke="${ink}" stroke-width="6" fill="none" opacity="0.35"/>
    <path d="M${x! + r! * 0.45} ${y! - r! * 0.4} q-25 20 0 40 q25 20 0 40" stroke="${ink}" stroke-width="6" fill="none" opacity="0.35"/>`,
      )
      .join('')}`,
  ],
  [
    /薯|洋芋|土豆|芋头/,
    (c, ink) => `
    <path d="M-170 20 C -180 -90 -40 -140 60 -110 C 170 -80 190 40 120 110 C 50 170 -160 150 -170 20 Z" fill="${c}"/>
    ${[
      [-90, -30],
      [10, -60],
      [80, 30],
      [-30, 70],
    ]
      .map(([x, y]) => `<ellipse cx="${x}" cy="${y}" rx="12" ry="7" fill="${ink}" opacity="0.4"/>`)
      .join('')}
    <ellipse cx="-60" cy="-60" rx="50" ry="22" fill="#ffffff" opacity="0.3" transform="rotate(-20 -60 -60)"/>`,
  ],
  [
    /蛋/,
    (c, ink) => `
    <ellipse cx="-70" cy="30" rx="85" ry="110" fill="${c}"/>
    <ellipse cx="80" cy="55" rx="75" ry="95" fill="${c}" opacity="0.85"/>
    <ellipse cx="-95" cy="-20" rx="22" ry="34" fill="#ffffff" opacity="0.45"/>
    <ellipse cx="0" cy="160" rx="190" ry="20" fill="${ink}" opacity="0.2"/>`,
  ],
  [
    /米|面|粉|饭/,
    (c, ink) => `
    <path d="M-90 -40 C -90 -150 90 -150 90 -40 Z" fill="#fffaf0"/>
    ${[
      [-50, -80],
      [-10, -110],
      [35, -85],
      [0, -60],
      [-40, -50],
      [50, -55],
    ]
      .map(([x, y]) => `<ellipse cx="${x}" cy="${y}" rx="9" ry="5" fill="${ink}" opacity="0.25"/>`)
      .join('')}
    <path d="M-180 -40 L180 -40 Q170 120 40 150 L-40 150 Q-170 120 -180 -40 Z" fill="${c}"/>
    <rect x="-60" y="150" width="120" height="24" rx="8" fill="${ink}" opacity="0.6"/>
    <path d="M-140 0 Q0 40 140 0" stroke="#ffffff" stroke-width="10" fill="none" opacity="0.35"/>`,
  ],
];

/** A small stable hash of a string (FNV-1a), for the deterministic variations. */
function hash(s: string) {
  let h = 0x811c9dc5;
  for (const ch of s) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The picture's SVG (800×800): the category's background and pattern, the motif, the name card. */
export function productArtSvg(p: { name: string; categoryCode: string; colour: string }): string {
  const top = p.categoryCode.split('.')[0]!;
  const pal = PALETTES[top] ?? PALETTES.fresh!;
  const named = NAMED_MOTIFS.find(([words]) => words.test(p.name))?.[1];
  const motif = (named ?? MOTIFS[top] ?? MOTIFS.fresh!)(p.colour, pal.ink);
  const h = hash(p.name);
  const tilt = (h % 17) - 8;
  const dots = Array.from({ length: 14 }, (_, i) => {
    const x = ((h >>> (i % 24)) * (i + 3)) % 800;
    const y = ((h >>> ((i + 7) % 24)) * (i + 11)) % 560;
    return `<circle cx="${x}" cy="${y}" r="${6 + ((h >>> i) % 14)}" fill="${pal.ink}" opacity="0.07"/>`;
  }).join('');
  const title = p.name.replace(/[（(].*$/, '').trim();
  const font = 'Noto Sans CJK SC, Source Han Sans CN, WenQuanYi Micro Hei, sans-serif';
  const size = title.length > 11 ? 44 : title.length > 8 ? 52 : 60;
  const card = findCjkFont()
    ? `<rect x="60" y="618" width="680" height="132" rx="28" fill="#ffffff" opacity="0.94"/>
  <text x="400" y="${size > 50 ? 680 : 676}" font-size="${size}" font-weight="700" text-anchor="middle" fill="${pal.ink}" font-family="${font}">${escape(title)}</text>
  <text x="400" y="728" font-size="26" text-anchor="middle" fill="${pal.ink}" opacity="0.75" font-family="${font}">消费帮扶 · ${pal.label}</text>`
    : `<rect x="60" y="640" width="680" height="90" rx="28" fill="#ffffff" opacity="0.94"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="800" viewBox="0 0 800 800">
  <defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${pal.bg[0]}"/><stop offset="1" stop-color="${pal.bg[1]}"/></linearGradient>
  <radialGradient id="glow" cx="0.5" cy="0.42" r="0.45"><stop offset="0" stop-color="#ffffff" stop-opacity="0.75"/><stop offset="1" stop-color="#ffffff" stop-opacity="0"/></radialGradient></defs>
  <rect width="800" height="800" fill="url(#bg)"/>
  ${dots}
  <circle cx="400" cy="330" r="300" fill="url(#glow)"/>
  <ellipse cx="400" cy="560" rx="230" ry="30" fill="${pal.ink}" opacity="0.12"/>
  <g transform="translate(400 330) rotate(${tilt}) scale(1.2)">${motif}</g>
  ${card}
</svg>`;
}

/** The picture as a JPEG (a third of a compressed PNG's encoding time, which counts at first start). */
export async function productPicture(p: { name: string; categoryCode: string; colour: string }): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(Buffer.from(productArtSvg(p)))
      .jpeg({ quality: 90, chromaSubsampling: '4:4:4' })
      .toBuffer(),
  );
}
