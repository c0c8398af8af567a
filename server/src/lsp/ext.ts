// The custom protocol of runlens as the protocol library's message types, made of its declaration
// in protocol/ext.ts (which the VS Code client imports too); described in server/LSP_EXTENSIONS.md.

import { NotificationType, RequestType0 } from 'vscode-languageserver/node';
import { INDEX_CHANGED_METHOD, IndexChangedParams, STATUS_METHOD, StatusResult } from '../protocol/ext';

/** `runlens/status`: what the server knows and how fast it answers. */
export const statusRequest = new RequestType0<StatusResult, void>(STATUS_METHOD);

/** `runlens/indexChanged`: recordings were added, replaced or removed, or the baseline changed (clients refresh lenses). */
export const indexChangedNotification = new NotificationType<IndexChangedParams>(INDEX_CHANGED_METHOD);
