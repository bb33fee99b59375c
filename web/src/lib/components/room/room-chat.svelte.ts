import { LiveChat, type ChatSide } from '$lib/state/chat.svelte';
import type { PageSocket } from './live-room.svelte';

/**
 * The room's live conversation (交谈/私聊), one at a time, for the lifetime of the calling component
 * (create during init): attaches it to the page's socket once there is one, and detaches it on unmount.
 */
export class RoomChat {
  current = $state<LiveChat | null>(null);

  constructor(
    readonly requirementId: string,
    readonly side: ChatSide,
    live: { readonly socket: PageSocket | null },
  ) {
    $effect(() => {
      if (this.current && live.socket) this.current.attach(live.socket);
    });
    $effect(() => () => this.current?.detach());
  }

  /** Opens the conversation with this provider; reopening the one already open keeps it. */
  open(providerId: string) {
    if (this.current?.providerId === providerId) return;
    this.current?.detach();
    this.current = new LiveChat(this.requirementId, providerId, this.side);
  }

  close() {
    this.current?.detach();
    this.current = null;
  }
}
