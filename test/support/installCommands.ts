// The commands of the README's "Using it on your project" that install runlens before it is on the
// npm registry, word for word as the README shows them: test/system/pack.test.ts runs exactly these
// lines (each through bash, a `cd` carrying over to the next), and a docs test can compare them
// with the README.

/** The git URL the README names; the test installs from a git clone of this checkout instead. */
export const README_GIT_URL = 'git+file:///path/to/runlens';

export interface CommandBlock {
  /** Where the first line runs (the test makes this folder; the README says it in words). */
  from: 'runlens' | 'my-project';
  /** The lines of the README's sh block, comments included. */
  lines: string[];
}

/** From a clone of runlens (after `npm ci`), with the user's project beside it. */
export const FROM_TARBALL: CommandBlock = {
  from: 'runlens',
  lines: [
    'npm pack                                        # builds the package and writes runlens-0.1.0.tgz',
    'cd ../my-project',
    'npm install -D ../runlens/runlens-0.1.0.tgz',
    'npx runlens scan',
    'npx runlens report --format html -o runlens-report.html',
  ],
};

/** In the user's project: npm clones runlens, installs its dev dependencies and builds it (`prepare`). */
export const FROM_GIT: CommandBlock = {
  from: 'my-project',
  lines: [`npm install -D ${README_GIT_URL}`, 'npx runlens scan'],
};

/** Once installed: a baseline, a fix recorded again, and what it bought (the test records nothing in between). */
export const BEFORE_AND_AFTER: CommandBlock = {
  from: 'my-project',
  lines: [
    'npx runlens baseline save                           # .runlens/baseline.json: what it costs now',
    '# … fix, record the tests again …',
    'npx runlens compare --baseline .runlens/baseline.json',
    'npx runlens report --baseline .runlens/baseline.json > report.md   # for the ticket',
  ],
};

/** What an editor runs in the project once runlens is installed there. */
export const LANGUAGE_SERVER = 'npx runlens --stdio';
