import { z } from 'zod';

/**
 * Chinese field messages for every zod check that does not carry its own: an API client or a form
 * never sees zod's English defaults (`Invalid input: expected number, received undefined`). A
 * schema's own message always wins; this is zod's locale, applied once when core/shared is loaded.
 */
const TYPE_NAMES: Record<string, string> = {
  string: '文字',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: '是或否',
  array: '列表',
  object: '对象',
  date: '日期',
};

const FORMAT_MESSAGES: Record<string, string> = {
  uuid: '编号格式不正确',
  guid: '编号格式不正确',
  email: '邮箱格式不正确',
  url: '链接格式不正确',
  datetime: '时间格式不正确',
  date: '日期格式应为 YYYY-MM-DD',
  time: '时间格式不正确',
  starts_with: '格式不正确',
  ends_with: '格式不正确',
  includes: '格式不正确',
  regex: '格式不正确',
};

type Issue = z.core.$ZodRawIssue;

function chineseIssueMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return '请填写此项';
      const expected = TYPE_NAMES[issue.expected as string];
      return expected ? `应填写${expected}` : '格式不正确';
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? '请填写此项' : `至少 ${min} 个字`;
      if (issue.origin === 'array' || issue.origin === 'set') return min <= 1 ? '请至少选择一项' : `至少 ${min} 项`;
      return issue.inclusive === false ? `应大于 ${min}` : `不能小于 ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `不超过 ${max} 个字`;
      if (issue.origin === 'array' || issue.origin === 'set') return `最多 ${max} 项`;
      if (issue.origin === 'file') return '文件过大';
      return issue.inclusive === false ? `应小于 ${max}` : `不能大于 ${max}`;
    }
    case 'invalid_format':
      return FORMAT_MESSAGES[issue.format] ?? '格式不正确';
    case 'not_multiple_of':
      return `应为 ${issue.divisor} 的倍数`;
    case 'invalid_value':
      return '选项无效';
    case 'unrecognized_keys':
      return `不认识的字段：${issue.keys.join('、')}`;
    case 'invalid_key':
    case 'invalid_element':
    case 'invalid_union':
      return '格式不正确';
    default:
      return '内容无效';
  }
}

z.config({ localeError: chineseIssueMessage as z.core.$ZodErrorMap });
