import { legalDocuments } from '../../db/schema';
import { defineContext } from '../platform/context';
import { createLegalService } from './legal.service';

/** 用户协议 and 隐私政策 (versioned; registration records the versions accepted), and the footer's 客服 and 备案 setting. */
export const legalContext = defineContext({
  name: 'legal',
  tables: { legalDocuments },
  create: ({ db, clock }) => ({ legal: createLegalService({ db, clock }) }),
  settings: ['site.footer'],
});
