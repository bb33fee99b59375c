import { Wheat, Drumstick, Apple, Coffee, MountainSnow, Flame, Wine, Scissors, Cookie, Fish, Package } from '@lucide/svelte';

/** An icon and colours per top category, so the category grid reads at a glance. */
export const CATEGORY_STYLE: Record<string, { icon: typeof Wheat; bg: string; fg: string }> = {
  grain: { icon: Wheat, bg: 'bg-amber-50', fg: 'text-amber-600' },
  meat: { icon: Drumstick, bg: 'bg-rose-50', fg: 'text-rose-600' },
  fresh: { icon: Apple, bg: 'bg-green-50', fg: 'text-green-600' },
  tea: { icon: Coffee, bg: 'bg-emerald-50', fg: 'text-emerald-700' },
  mountain: { icon: MountainSnow, bg: 'bg-lime-50', fg: 'text-lime-700' },
  seasoning: { icon: Flame, bg: 'bg-red-50', fg: 'text-red-600' },
  liquor: { icon: Wine, bg: 'bg-purple-50', fg: 'text-purple-600' },
  craft: { icon: Scissors, bg: 'bg-sky-50', fg: 'text-sky-600' },
  snack: { icon: Cookie, bg: 'bg-orange-50', fg: 'text-orange-600' },
  aquatic: { icon: Fish, bg: 'bg-cyan-50', fg: 'text-cyan-600' },
  default: { icon: Package, bg: 'bg-gray-100', fg: 'text-gray-600' },
};

export const styleOf = (code: string) => CATEGORY_STYLE[code] ?? CATEGORY_STYLE.default!;
