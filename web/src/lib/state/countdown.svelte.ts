/** A seconds countdown (e.g. "60 秒后重新获取" after sending a code); stop() on unmount. */
export class Countdown {
  seconds = $state(0);
  #timer: ReturnType<typeof setInterval> | undefined;

  start(seconds: number) {
    this.stop();
    this.seconds = seconds;
    this.#timer = setInterval(() => {
      this.seconds -= 1;
      if (this.seconds <= 0) this.stop();
    }, 1000);
  }

  stop() {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
