/**
 * The external programs the suite runs for real: OTP 25 (`erl`, `escript`,
 * from erlang-nox) for the tests against live ETS/DETS, and PostgreSQL's
 * server (`initdb`, `pg_ctl`) for shared tables on PostgreSQL. None of
 * those tests is skipped when a program is missing: they fail, saying what
 * to install. `npm test` installs both first where it can (root with
 * apt-get; scripts/test-deps.sh).
 */
import { spawnSync } from 'node:child_process';

let erl: boolean | undefined;

/** True if `erl` (OTP) can be run here. */
export function haveErl(): boolean {
  erl ??= spawnSync('erl', ['-noshell', '-eval', 'halt().'], { stdio: 'ignore', timeout: 60_000 }).status === 0;
  return erl;
}

/** Throws, naming what to install, unless `erl` and `escript` can be run. */
export function requireErl(): void {
  if (!haveErl()) {
    throw new Error('this test runs live OTP 25 but `erl` was not found: install erlang-nox (apt-get install -y erlang-nox), or run `npm test` as root, which installs it');
  }
}

/** The OTP release `erl` runs (e.g. `'25'`); call after {@link requireErl}. */
export function otpRelease(): string {
  const r = spawnSync('erl', ['-noshell', '-eval', 'io:format("~s", [erlang:system_info(otp_release)]), halt().'], { encoding: 'utf8', timeout: 60_000 });
  return r.stdout.trim();
}
