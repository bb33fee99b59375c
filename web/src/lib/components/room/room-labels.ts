import { formatFen } from '$core/shared/money';
import type { RoomPhase } from '$core/rooms/rooms.machine';
import type { RoomEventPayload } from '$realtime/events';
import { formatClock } from './room-format';

type Tone = 'success' | 'warning' | 'danger' | 'neutral' | 'info';

export const PHASE_TONES: Record<RoomPhase, Tone> = {
  scheduled: 'neutral',
  waiting: 'info',
  bidding: 'warning',
  second_round: 'danger',
  awarded: 'success',
  abandoned: 'warning',
  ended: 'neutral',
};

export const PROPOSAL_LABELS: Record<string, string> = { active: '有效', selected: '已选中', not_selected: '未选中', withdrawn: '已撤回' };

/**
 * One line of the room's activity list, or null for events not worth a line. `names` maps provider
 * ids to names (the enterprise's view); a bidder's own view never names anyone.
 */
export function describeRoomEvent(e: RoomEventPayload, names: Record<string, string>, side: 'enterprise' | 'provider'): string | null {
  const who = (id: unknown) => (typeof id === 'string' && names[id]) || '服务机构';
  switch (e.type) {
    case 'bidders:changed':
      return `投标机构变为 ${e.payload.bidderCount} 家`;
    case 'round:started': {
      const p = e.payload;
      if (side === 'provider')
        return 'included' in p && p.included ? `第 ${p.number} 轮二次竞价开始，您在参加之列` : `第 ${p.number} 轮二次竞价开始（贵机构本轮未参加）`;
      return 'participantCount' in p
        ? `第 ${p.number} 轮二次竞价开始：${p.participantCount} 家参加，${Math.round(p.durationSeconds / 60)} 分钟`
        : `第 ${p.number} 轮二次竞价开始`;
    }
    case 'offer:received':
      return `${who(e.payload.providerId)} 提交了第 ${e.payload.offerCount} 次报价`;
    case 'offer:accepted':
      return `您的报价 ${formatFen(e.payload.priceFen)} 已被接受，当前第 ${e.payload.rank} 名`;
    case 'round:rank':
      return `排名变化：您当前第 ${e.payload.rank} 名 / 共 ${e.payload.participantCount} 家`;
    case 'round:extended': {
      const p = e.payload;
      const left = `剩余延时次数 ${Math.max(0, p.maxExtensions - p.extensions)} / ${p.maxExtensions}`;
      const latest = p.latestCloseAt ? `，最晚截止 ${formatClock(p.latestCloseAt)}` : '';
      return `临近截止有${p.extensionRule === 'new_lowest' ? '新的最低价' : '新报价'}，截止时间顺延至 ${formatClock(p.closesAt)}（${left}${latest}）`;
    }
    case 'round:closed': {
      const p = e.payload;
      return side === 'provider' && 'rank' in p && p.rank
        ? `第 ${p.number} 轮二次竞价结束：您第 ${p.rank} 名 / 共 ${p.participantCount} 家`
        : `第 ${p.number} 轮二次竞价结束`;
    }
    case 'room:selected':
      return `已选中 ${e.payload.providerName || who(e.payload.providerId)}`;
    case 'room:result':
      return e.payload.selected ? '贵机构已被选中' : '发布企业已选定其他服务机构';
    case 'room:abandoned':
      return '发布企业放弃了本次招标';
    case 'room:withdrawn':
      return '项目已撤销';
    case 'room:retendered':
      return '项目重新设定了开标时间';
    case 'chat:message': {
      const p = e.payload;
      return side === 'enterprise'
        ? p.senderOrgId === p.providerId
          ? `${who(p.providerId)} 发来私聊消息`
          : null
        : p.senderOrgId !== p.providerId
          ? '发布企业发来私聊消息'
          : null;
    }
    default:
      return null;
  }
}

/** Each event once (the page's first list and live events can overlap by a few). */
export const uniqueBySeq = (events: RoomEventPayload[]) => [...new Map(events.map((e) => [e.seq, e])).values()];
