// The Django example as tests see it (test/workspaces/django-meetups, recordings generated in
// appmap-python's format by running the real app): where it is, its recording, the fixed twin's,
// and its N+1 as the language server publishes it.

import * as path from 'node:path';
import { REPO } from './corpus';

export const MEETUPS = path.join(REPO, 'test/workspaces/django-meetups');
export const RECORDING = 'tmp/appmap/pytest/test_past_meetings.generated.appmap.json';
/** The fixed twin's recording of the same test. */
export const FIXED_RECORDING = path.join(REPO, 'test/workspaces/django-meetups-fixed', RECORDING);
export const VIEWS = 'meetups/views.py';
export const N_PLUS_ONE = '28:15-28:79 error n-plus-one: N+1: 1,500 queries from this queryset';
