import { type ServerProfile, serverProfiles } from '../server/profiles.js';
import { choicesNote, durationMs, flag, numberThat, oneOf, text, wholeNumber } from './checks.js';
import { pemFile, pemText } from './pem-checks.js';
import { option } from './schema.js';

/** The embedded server's knobs, for every command that runs one: no defaults here, so that the profile's show through. */
export const serverKnobs = {
  /** Embedded server: hold each answer this many ms (default by profile: local 0, delay 300, error 300). */
  latency: option({
    type: 'number',
    check: durationMs(),
    describe: 'Hold each answer this many ms [number] [default: by profile: local 0, delay 300, error 300]',
    group: 'server',
  }),
  /** Embedded server: spread the hold by ± this many ms, seeded (default: 0 with `latency`, else by profile). */
  jitter: option({
    type: 'number',
    check: durationMs(),
    describe: 'Spread the hold uniformly by ± this many ms, seeded [number] [default: 0 with --latency, else by profile: local 0, delay 200, error 200]',
    group: 'server',
  }),
  /** Embedded server: share 0..1 of flag requests that get a fault (default by profile: error 0.2, else 0). */
  errorRate: option({
    type: 'number',
    check: numberThat('between 0 and 1', false, (value) => value >= 0 && value <= 1),
    describe: 'Share 0..1 of flag requests that get a fault: 500/503/429, dropped connection, cut or stalled body [number] [default: by profile: local 0, delay 0, error 0.2]',
    group: 'server',
  }),
  /** Embedded server: seed of the jitter and fault draws (default 1). */
  seed: option({
    type: 'number',
    check: numberThat('an integer', true, Number.isSafeInteger),
    describe: 'Seed of the jitter and fault draws: the same seed gives the same delays and faults [number] [default: 1]',
    group: 'server',
  }),
};

/** `serve()` and `flags serve`. */
export const serveSchema = {
  /** `local`: immediate; `delay` (the default): 100-500 ms per answer; `error`: delay plus 20% faults. */
  profile: option<ServerProfile>({
    type: 'choice',
    check: oneOf(serverProfiles),
    default: 'delay',
    describe: `local: immediate; delay: 100-500 ms per answer; error: delay plus 20% faults ${choicesNote(serverProfiles)}`,
    group: 'server',
  }),
  /** TCP port. Default 0, any free port, unlike the CLI's 8001: two servers in one program must not collide. */
  port: option({ type: 'number', check: wholeNumber(0, 65535), default: 0, describe: 'TCP port (0: any free port) [number]', group: 'server' }),
  /** Address to listen on (default 127.0.0.1). */
  host: option({ type: 'text', check: text, default: '127.0.0.1', describe: 'Address to listen on', group: 'server' }),
  /** Serve every file of this folder at `{url}/{its path}` instead of flag-icons' SVGs; `url` then has no path (the folder is at `/`, the flags at `/flags`). */
  dir: option({
    type: 'text',
    check: text,
    describe:
      "Serve every file of this folder at / (DIR/a/b.txt at http://HOST:PORT/a/b.txt, as python3 -m http.server does) instead of flag-icons' SVGs at /flags/; not dotfiles, nor symlinks that lead out of it",
    group: 'server',
  }),
  ...serverKnobs,
  /** PEM certificate: serve https (with `key`). */
  cert: option({
    type: 'text',
    check: pemText('certificate'),
    fromPath: pemFile('certificate'),
    describe: 'Serve https with this PEM certificate [string]',
    group: 'server',
  }),
  /** The certificate's PEM private key. */
  key: option({ type: 'text', check: pemText('private key'), fromPath: pemFile('private key'), describe: "The certificate's PEM private key [string]", group: 'server' }),
  /** Keep every request in `requests` (default true); false for a server that runs long with nobody to read them. */
  log: option({ type: 'boolean', check: flag, default: true, describe: 'Keep every request served in memory', group: 'server', cli: false }),
};
