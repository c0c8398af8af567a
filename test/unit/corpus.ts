// Where the shared corpus of real recordings is: ../shared/corpus beside the repository.
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../../../..');
export const CORPUS = path.resolve(REPO, '../shared/corpus');
