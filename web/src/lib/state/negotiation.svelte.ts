/** A message of a negotiation thread (洽谈) as the pages show it. */
export interface ThreadMessage {
  id: string;
  senderOrgId: string;
  senderName: string;
  body: string;
  attachments: { id: string; filename: string; sizeBytes: number; url: string }[];
  readAt: Date | string | null;
  createdAt: Date | string;
}

/**
 * The messages of one thread on screen, oldest first. Page loads replace them; a sent message (the
 * action's answer) and, once the live chat arrives, a socket event are merged in — each message once,
 * by id, so the same message coming back by two paths shows once.
 */
export class NegotiationThread {
  messages = $state<ThreadMessage[]>([]);

  replace(list: ThreadMessage[]) {
    this.messages = [...list];
  }

  merge(list: ThreadMessage[]) {
    const seen = new Set(this.messages.map((m) => m.id));
    const fresh = list.filter((m) => !seen.has(m.id));
    if (!fresh.length) return;
    this.messages = [...this.messages, ...fresh].sort((a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime());
  }
}
