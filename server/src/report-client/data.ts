// The report's data, read once from the page's JSON block (core/report/html.ts writes it): the
// types are the model's own (core/report/pageData.ts), so a change there that breaks the page
// fails the build.

import type { ReportModel } from '../core/report/pageData';

export const data: ReportModel = JSON.parse((document.getElementById('runlens-data') as HTMLElement).textContent as string);
/** Names of frames and SQL shapes, which trees and shapes refer to by index. */
export const S = data.strings;
