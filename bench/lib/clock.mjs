/**
 * Milliseconds on the system-wide monotonic clock (CLOCK_MONOTONIC): the same clock in every
 * process of this machine, so a timestamp written by a sender can be subtracted by a receiver.
 * @returns {number}
 */
export function now() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** @param {number} ms @returns {Promise<void>} */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
