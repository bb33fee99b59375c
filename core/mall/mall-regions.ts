import { z } from 'zod';
import { isRegionCode } from '../shared/regions';

/**
 * The mall places units, individuals, merchants, product origins and delivery addresses at least at
 * a district (区县, 6 digits) and at most at a township (乡镇/街道, 9 digits) of GB/T 2260.
 */
export const isDistrictOrTownship = (code: string) => /^\d{6}(\d{3})?$/.test(code) && isRegionCode(code);

/** A region code chosen down to a district or a township, with the field's own Chinese message. */
export const DistrictOrTownship = (missing: string) =>
  z.string({ message: missing }).trim().min(1, missing).refine(isDistrictOrTownship, '请选择到区县（乡镇可选）');
