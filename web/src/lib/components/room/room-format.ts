const clock = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dayClock = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

/** 14:05:09 in Beijing time; with `withDay`, 03/01 14:05. */
export const formatClock = (d: string | Date | null | undefined, withDay = false) => (d ? (withDay ? dayClock : clock).format(new Date(d)) : '—');

/** "3 分钟" / "45 秒" for a duration in seconds. */
export const formatDuration = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60} 分钟` : seconds >= 60 ? `${Math.floor(seconds / 60)} 分 ${seconds % 60} 秒` : `${seconds} 秒`);
