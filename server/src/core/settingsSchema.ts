// The settings as JSON Schema, one entry per key (dotted, as editors name them: `nPlusOne.warningCount`).
// It is what every client shows the user and what server/docs/configuration.md documents, and it is checked, not
// copied by hand: test/unit/settings.test.ts keeps that page's table, the VS Code extension's
// `contributes.configuration` and Emacs' defcustoms equal to it, and its keys and defaults equal to
// config.ts, which is what the server actually reads.

import { DEFAULT_CONFIG, RULE_NAMES } from './config';

export interface SettingSchema {
  type: 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'string';
  default: unknown;
  /** Markdown: one line, as it reads in the documented table and in an editor's settings page. */
  markdownDescription: string;
  minimum?: number;
  enum?: string[];
  items?: { type: 'string' };
  properties?: Record<string, { type: 'string'; enum: string[] }>;
  additionalProperties?: false | { type: 'string' };
}

const d = DEFAULT_CONFIG;
const count = (value: number, markdownDescription: string): SettingSchema => ({ type: 'integer', default: value, minimum: 1, markdownDescription });
const ms = (value: number, markdownDescription: string): SettingSchema => ({ type: 'number', default: value, minimum: 0, markdownDescription });
const folders = (value: string[], markdownDescription: string): SettingSchema => ({ type: 'array', default: value, items: { type: 'string' }, markdownDescription });

export const SETTINGS: Record<string, SettingSchema> = {
  'nPlusOne.warningCount': count(d.nPlusOne.warningCount, "repeats of one SELECT shape under one request or test that make a warning (AppMap's scanner warns above 5)"),
  'nPlusOne.errorCount': count(d.nPlusOne.errorCount, "repeats that make an error (AppMap's scanner errors at 10)"),
  'nPlusOne.minTotalMs': ms(d.nPlusOne.minTotalMs, 'the repeats must also take this long together (Sentry uses 50)'),
  slowCallMs: ms(d.slowCallMs, 'time of a project function call that makes a `slow-call`'),
  slowRequestMs: ms(d.slowRequestMs, 'time of an HTTP request that makes a `slow-request`'),
  slowQueryMs: ms(d.slowQueryMs, 'time of one query that makes a `slow-query`'),
  repeatedQueryCount: count(d.repeatedQueryCount, 'runs of an identical query that make a `repeated-query`'),
  tooManyQueriesCount: count(d.tooManyQueriesCount, 'queries per request or test that make `too-many-queries`'),
  sourceRoots: folders(d.sourceRoots, "folders where package-relative paths (appmap-java's `com/acme/Foo.java`) are looked up"),
  rules: {
    type: 'object',
    default: d.rules,
    properties: Object.fromEntries(RULE_NAMES.map((rule) => [rule, { type: 'string', enum: ['error', 'warning', 'info', 'off'] }])),
    additionalProperties: false,
    markdownDescription: 'per rule, a severity that replaces its own (`"error"`, `"warning"`, `"info"`) or `"off"`, e.g. `{"slow-call": "off"}`',
  },
  lenses: { type: 'boolean', default: d.lenses, markdownDescription: 'show code lenses (language server)' },
  recordingFolders: folders(d.recordingFolders, 'workspace folders searched for recordings; empty means the whole workspace (skipping `node_modules` and `.git`)'),
  traces: {
    type: 'array',
    default: d.traces,
    items: { type: 'string' },
    markdownDescription: 'globs naming the OpenTelemetry traces (OTLP JSON: one document, or JSON Lines) read besides `*.appmap.json`, matched against the end of each path under the recording folders',
  },
  pathMappings: {
    type: 'object',
    default: d.pathMappings,
    additionalProperties: { type: 'string' },
    markdownDescription: 'recorded path prefixes mapped to workspace folders, for recordings made elsewhere, e.g. `{"/app": "."}` for a container',
  },
  'compare.maxTimeIncreasePercent': { type: 'number', default: d.compare.maxTimeIncreasePercent, minimum: 0, markdownDescription: '`runlens compare`: a time per call up by more than this percentage, and by more than `compare.maxTimeIncreaseMs`, beyond the noise, is a regression' },
  'compare.maxTimeIncreaseMs': ms(d.compare.maxTimeIncreaseMs, '`runlens compare`: milliseconds a time per call must also be up by to be a regression'),
  'compare.maxSqlIncrease': { type: 'integer', default: d.compare.maxSqlIncrease, minimum: 0, markdownDescription: '`runlens compare`: SQL queries per call up by more than this are a regression' },
  'compare.failOnNewFinding': { type: 'string', default: d.compare.failOnNewFinding, enum: ['error', 'warning', 'info', 'never'], markdownDescription: '`runlens compare`: a finding new since the baseline with this severity or worse is a regression (`"never"`: none)' },
  'compare.noiseFactor': { type: 'number', default: d.compare.noiseFactor, minimum: 0, markdownDescription: '`runlens compare`: a time change within this many standard deviations of one call\'s time is within the noise' },
};
