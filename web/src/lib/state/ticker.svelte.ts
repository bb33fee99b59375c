/**
 * One shared second tick for the live countdowns on a page (opening times), corrected to the server's
 * clock so a browser set a few minutes wrong still counts down to the real opening.
 */
class Ticker {
  /** Server time in ms while ticking; null until a countdown has mounted in the browser. */
  now = $state<number | null>(null);
  #offset = 0;
  #users = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Remembers how far the browser's clock is from the server's (`serverNow` from the page data). */
  sync(serverNow: number) {
    this.#offset = serverNow - Date.now();
  }

  /** Starts ticking while at least one countdown is on screen; call from an $effect and return its result. */
  use() {
    if (this.#users++ === 0) {
      const tick = () => (this.now = Date.now() + this.#offset);
      tick();
      this.#timer = setInterval(tick, 1000);
    }
    return () => {
      if (--this.#users === 0) {
        clearInterval(this.#timer);
        this.now = null;
      }
    };
  }
}

export const ticker = new Ticker();
