/**
 * Runs the built application (argv[2], dist/src/main.js) in this process and records a CPU
 * profile of the window the orchestrator chooses: `profile-start`, then `profile-stop` with a
 * path, over IPC. Used only with `npm run bench -- --profile`; `node --cpu-prof` cannot be used
 * because it writes on a normal exit, and Nest's shutdown hooks end the process by re-raising
 * SIGTERM.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 500 });

process.on('message', (/** @type {any} */ message) => {
  const reply = (/** @type {boolean} */ ok) => process.send?.({ type: 'profile-done', ok });
  if (message?.type === 'profile-start') {
    session.post('Profiler.start').then(
      () => reply(true),
      () => reply(false),
    );
  } else if (message?.type === 'profile-stop') {
    session
      .post('Profiler.stop')
      .then(({ profile }) => writeFileSync(message.path, JSON.stringify(profile)))
      .then(
        () => reply(true),
        () => reply(false),
      );
  }
});

await import(pathToFileURL(process.argv[2]).href);
