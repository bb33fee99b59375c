/** 14:05:09 in Beijing time; with `withDay`, 03/01 14:05. */
export { formatClock } from '$core/shared/time';
