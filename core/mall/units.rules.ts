import { KINDS_WITH_GROUPS, UNIT_ATTRIBUTE_LABELS, type UnitAttributeKind } from './units.schema';

/**
 * Decides whether a unit attribute is complete: the first three kinds need a second-level group of
 * their own kind; 其他帮扶单位 takes none. Returns the field message, or null when it is fine.
 * Pure: the groups are passed in.
 */
export function checkUnitAttribute(
  kind: UnitAttributeKind,
  groupCode: string | undefined,
  groups: readonly { code: string; kind: UnitAttributeKind }[],
): string | null {
  if (!KINDS_WITH_GROUPS.includes(kind)) return groupCode ? '其他帮扶单位无需选择二级帮扶单位，请直接填写单位名称' : null;
  if (!groupCode) return `请选择${UNIT_ATTRIBUTE_LABELS[kind]}的二级帮扶单位`;
  const group = groups.find((g) => g.code === groupCode);
  if (!group) return '二级帮扶单位不存在';
  if (group.kind !== kind) return `所选二级帮扶单位不属于“${UNIT_ATTRIBUTE_LABELS[kind]}”`;
  return null;
}
