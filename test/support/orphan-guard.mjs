// Loaded with `node --import` into server processes that a test suite starts: when the suite's
// process goes away without stopping them (killed, crashed), they end too instead of lingering.
const parent = Number(process.env.ORPHAN_GUARD_PARENT_PID);
if (parent) {
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
  }, 500).unref();
}
