// Django's models: read from each models file (table names and relations), and the models of the
// workspace (every models.py and models/*.py, their classes at module level or in if/try blocks),
// read once per file text. Syntax only: bases are followed through imports to the workspace's
// other modules (abstract models), nothing is run.

import type { Node } from 'web-tree-sitter';
import { SourceParsers, lineOf, withTree } from '../../source/language';
import { SourceIndex } from '../../sourceIndex';

export interface DjangoModel {
  name: string;
  /** The folder holding models.py or the models/ package, unless Meta.app_label says otherwise. */
  appLabel: string;
  /** Meta.db_table, the parent's table for proxy models, else `${appLabel}_${name.toLowerCase()}`. */
  dbTable: string;
  /** The workspace-relative path given in. */
  path: string;
  /** 1-based line of the `class` keyword. */
  line: number;
  /** Relations declared on the model and on abstract models it extends in the same file. */
  fields: DjangoRelation[];
}

export interface DjangoRelation {
  name: string;
  kind: 'foreign-key' | 'one-to-one' | 'many-to-many';
  /** As written, quotes stripped: "Venue", "auth.User", "self", "settings.AUTH_USER_MODEL". */
  target: string;
  relatedName?: string;
  /** ManyToManyField(db_table=…). */
  dbTable?: string;
  through?: string;
  /** 1-based line of the field assignment. */
  line: number;
}

/**
 * A class of a Python file that may be a Django model, by syntax alone: its bases as written, its
 * Meta and its relation fields. Classes at module level and in `if`/`try` blocks at module level
 * (django-oscar's `if not is_model_registered('catalogue', 'Product'): class Product(…)`).
 */
interface PythonClass {
  name: string;
  bases: string[];
  meta: Meta;
  /** Whether the class declares `class Meta:` (a child of an abstract model without one inherits its parent's). */
  declaresMeta: boolean;
  relations: DjangoRelation[];
  line: number;
}

/** What a Python file holds for Django: its classes in order, and the names it imports. */
interface PythonFile {
  classes: PythonClass[];
  /** Local name → the dotted name it stands for (`AbstractProduct` → `oscar.apps.catalogue.abstract_models.AbstractProduct`; relative ones keep their dots). */
  imports: Map<string, string>;
  /** Modules imported with `*`, as written. */
  starImports: string[];
}

/** A class with what its bases made of it: model or not, abstract, its relations and inherited Meta. */
interface ModelClass {
  cls: PythonClass;
  path: string;
  isModel: boolean;
  abstract: boolean;
  fields: DjangoRelation[];
  /** app_label and db_table from its own Meta, else from the abstract model it inherits Meta from. */
  appLabel?: string;
  dbTable?: string;
  /** The concrete model, when it is one. */
  model?: DjangoModel;
}

/**
 * Finds a class that a file names but does not define (imported, or reached through `import *`):
 * `from` is the file, `dotted` the name as imported. Given by djangoModels, which reads the
 * workspace; findDjangoModels alone follows no import.
 */
type ImportedClass = (from: string, dotted: string) => ModelClass | undefined;

/**
 * The concrete models a Python file defines: classes based on `models.Model` / `Model`, on a model
 * defined earlier in the same file, or (with `imported`) on a model imported from another module.
 * Abstract models (`Meta.abstract = True`) are not returned, since they have no table and no
 * manager, but count as model bases and hand their relations down to the models extending them, as
 * Django copies abstract fields, and their Meta to a model that declares none.
 */
export function findDjangoModels(parsers: SourceParsers, path: string, text: string): DjangoModel[] {
  const file = readPythonFile(parsers, text);
  return file ? modelClassesOf(path, file, () => undefined).flatMap((c) => (c.model ? [c.model] : [])) : [];
}

/** The classes of a file with what their bases make of them, in order. */
function modelClassesOf(path: string, file: PythonFile, imported: ImportedClass): ModelClass[] {
  const known = new Map<string, ModelClass>();
  const result: ModelClass[] = [];
  const parentOf = (base: string): ModelClass | undefined => {
    const local = known.get(base);
    if (local) return local;
    const dot = base.indexOf('.');
    const head = dot < 0 ? base : base.slice(0, dot);
    const named = file.imports.get(head);
    if (named !== undefined) return imported(path, dot < 0 ? named : named + base.slice(dot));
    if (dot >= 0) return undefined;
    for (const module of file.starImports) {
      const found = imported(path, `${module}.${base}`);
      if (found) return found;
    }
    return undefined;
  };
  for (const cls of file.classes) {
    const parents = cls.bases.map((b) => (MODEL_BASES.has(b) ? undefined : parentOf(b)));
    const isModel = cls.bases.some((b, i) => MODEL_BASES.has(b) || parents[i]?.isModel === true);
    const abstractParents = parents.filter((p): p is ModelClass => p !== undefined && p.isModel && p.abstract);
    const metaFrom = cls.declaresMeta ? undefined : abstractParents[0];
    const c: ModelClass = {
      cls,
      path,
      isModel,
      abstract: cls.meta.abstract,
      fields: [...abstractParents.flatMap((p) => p.fields), ...cls.relations],
      appLabel: cls.meta.appLabel ?? metaFrom?.appLabel,
      dbTable: cls.meta.dbTable ?? metaFrom?.dbTable,
    };
    if (isModel && !c.abstract) {
      const label = c.appLabel ?? appLabelOfPath(path);
      const proxied = cls.meta.proxy ? parents.find((p) => p?.isModel && !p.abstract)?.model : undefined;
      c.model = { name: cls.name, appLabel: label, dbTable: c.dbTable ?? proxied?.dbTable ?? `${label}_${cls.name.toLowerCase()}`, path, line: cls.line, fields: c.fields };
    }
    known.set(cls.name, c);
    result.push(c);
  }
  return result;
}

/** The classes and imports of a Python file, by syntax alone; undefined when it cannot be parsed. */
function readPythonFile(parsers: SourceParsers, text: string): PythonFile | undefined {
  return withTree(parsers, 'python', text, (root) => {
    const file: PythonFile = { classes: [], imports: new Map(), starImports: [] };
    // Module-level statements, and those of module-level if/try blocks, in document order.
    const pending: Node[] = [...root.namedChildren].reverse();
    while (pending.length) {
      const statement = pending.pop()!;
      if (BLOCKS.has(statement.type)) {
        for (let i = statement.namedChildCount - 1; i >= 0; i--) {
          const child = statement.namedChild(i);
          if (child && (child.type === 'block' || BLOCKS.has(child.type))) pending.push(child);
          else if (child && statement.type === 'block') pending.push(child);
        }
        continue;
      }
      if (statement.type === 'import_from_statement') readImportFrom(statement, file);
      else if (statement.type === 'import_statement') readImport(statement, file);
      const cls = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
      if (cls?.type !== 'class_definition') continue;
      const name = cls.childForFieldName('name')?.text;
      if (name === undefined) continue;
      const meta = readMeta(cls);
      file.classes.push({ name, bases: baseNames(cls), meta, declaresMeta: meta.declared, relations: relationsOf(cls), line: lineOf(cls.startPosition) });
    }
    return file;
  });
}

/** Compound statements whose blocks still run at import time, once: a class there is a module's class. */
const BLOCKS = new Set(['if_statement', 'elif_clause', 'else_clause', 'try_statement', 'except_clause', 'finally_clause', 'block']);

/** `from a.b import C, D as E`, `from . import x`, `from .m import *`. */
function readImportFrom(statement: Node, file: PythonFile): void {
  const moduleNode = statement.childForFieldName('module_name');
  if (!moduleNode) return;
  const module = moduleNode.text.replace(/\s+/g, '');
  if (statement.namedChildren.some((c) => c.type === 'wildcard_import')) {
    file.starImports.push(module);
    return;
  }
  for (const child of statement.childrenForFieldName('name')) {
    if (!child) continue;
    const [name, alias] = child.type === 'aliased_import' ? [child.childForFieldName('name')?.text, child.childForFieldName('alias')?.text] : [child.text, child.text];
    if (name !== undefined && alias !== undefined) file.imports.set(alias, module.endsWith('.') ? `${module}${name}` : `${module}.${name}`);
  }
}

/** `import a.b.c` (binds `a`), `import a.b as m`. */
function readImport(statement: Node, file: PythonFile): void {
  for (const child of statement.childrenForFieldName('name')) {
    if (!child) continue;
    if (child.type === 'aliased_import') {
      const name = child.childForFieldName('name')?.text;
      const alias = child.childForFieldName('alias')?.text;
      if (name !== undefined && alias !== undefined) file.imports.set(alias, name);
    } else {
      const head = child.text.split('.')[0];
      file.imports.set(head, head);
    }
  }
}

/** Per source index: the files the models were last worked out from, and the revalidation their stamps were last compared in. */
interface Files {
  read: Set<string>;
  revalidation: number;
}

const filesOf = new WeakMap<SourceIndex, Files>();

/** How many imports deep a model's bases are followed (a chain of abstract models across modules). */
const MAX_IMPORT_DEPTH = 16;

/**
 * The Django models of the workspace (every models.py and models/*.py), their bases followed
 * through imports to other modules of the workspace (django-oscar's abstract_models.py); a file
 * whose text did not change is not parsed again.
 */
export function djangoModels(index: SourceIndex): DjangoModel[] {
  let files = filesOf.get(index);
  if (!files) filesOf.set(index, (files = { read: new Set(), revalidation: index.revalidations }));
  // A models file changed on disk since it was read moves the generation: its stamp is compared
  // (by text()) once per revalidation, not on every call.
  if (files.revalidation !== index.revalidations) {
    for (const path of files.read) index.text(path);
    files.revalidation = index.revalidations;
  }
  const known = files;
  return index.derive('orm.django.models', () => modelsOf(index, known));
}

/** The models, from the workspace's files (each parsed again only if its text changed). */
function modelsOf(index: SourceIndex, files: Files): DjangoModel[] {
  const parsers = index.parsers;
  const models: DjangoModel[] = [];
  const read = new Set<string>();
  if (parsers) {
    // Each Python file parsed again only when its text changes.
    const parsed = index.perText('orm.django.file', (_path, text) => readPythonFile(parsers, text));
    const pyFiles = index.files.list(['.py']);
    const readFile = (path: string): PythonFile | undefined => {
      read.add(path);
      return parsed.get(path);
    };
    const classesByFile = new Map<string, ModelClass[]>();
    let depth = 0;
    const classesOf = (path: string): ModelClass[] => {
      let classes = classesByFile.get(path);
      if (classes) return classes;
      const file = readFile(path);
      // Set before working them out: a module that imports itself, directly or in a loop, finds nothing.
      classesByFile.set(path, []);
      if (!file || depth >= MAX_IMPORT_DEPTH) return [];
      depth++;
      try {
        classes = modelClassesOf(path, file, imported);
      } finally {
        depth--;
      }
      classesByFile.set(path, classes);
      return classes;
    };
    // Where each module is, once per module (and folder, for relative imports): finding it scans the listing.
    const modules = new Map<string, string | undefined>();
    const imported: ImportedClass = (from, dotted) => {
      const dot = dotted.lastIndexOf('.');
      if (dot <= 0 || dot === dotted.length - 1) return undefined;
      const name = dotted.slice(0, dot);
      const key = name.startsWith('.') ? `${from.slice(0, from.lastIndexOf('/') + 1)}\u0000${name}` : name;
      if (!modules.has(key)) modules.set(key, moduleFile(from, name, pyFiles));
      const module = modules.get(key);
      const cls = dotted.slice(dot + 1);
      return module === undefined ? undefined : classesOf(module).find((c) => c.cls.name === cls);
    };
    for (const path of pyFiles) {
      if (!MODELS_PATH.test(path)) continue;
      for (const c of classesOf(path)) if (c.model) models.push(c.model);
    }
  }
  files.read = read;
  files.revalidation = index.revalidations;
  return models;
}

/**
 * The workspace file of a module as an import names it: relative to `from` for `.m`/`..m`,
 * else the file whose path ends with the module's (`oscar/apps/catalogue/abstract_models.py`,
 * or a package's `__init__.py`), the shortest such path when several do.
 */
function moduleFile(from: string, module: string, pyFiles: string[]): string | undefined {
  const dots = /^\.*/.exec(module)![0].length;
  const rest = module.slice(dots).split('.').filter((p) => p.length > 0);
  if (dots > 0) {
    const folder = from.split('/').slice(0, -1);
    for (let i = 1; i < dots; i++) folder.pop();
    const base = [...folder, ...rest].join('/');
    return pyFiles.find((f) => f === `${base}.py`) ?? pyFiles.find((f) => f === `${base}/__init__.py`);
  }
  const suffix = rest.join('/');
  let best: string | undefined;
  for (const f of pyFiles) {
    if (f !== `${suffix}.py` && !f.endsWith(`/${suffix}.py`) && f !== `${suffix}/__init__.py` && !f.endsWith(`/${suffix}/__init__.py`)) continue;
    if (best === undefined || f.length < best.length) best = f;
  }
  return best;
}

/** The model a relation's target names ("Venue", "meetups.Venue", "self"). */
export function resolveTarget(target: string, from: DjangoModel, models: DjangoModel[]): DjangoModel | undefined {
  if (target === 'self') return from;
  const [app, name] = target.includes('.') ? target.split('.', 2) : [undefined, target];
  const candidates = models.filter((m) => m.name === name && (app === undefined || m.appLabel === app));
  return candidates.find((m) => m.appLabel === from.appLabel) ?? candidates[0];
}

const MODELS_PATH = /(^|\/)models(\.py|\/[^/]+\.py)$/;

const MODEL_BASES = new Set(['models.Model', 'Model', 'django.db.models.Model']);

const RELATION_KINDS: Record<string, DjangoRelation['kind']> = {
  ForeignKey: 'foreign-key',
  OneToOneField: 'one-to-one',
  ManyToManyField: 'many-to-many',
};

/** "meetups/models.py" and "meetups/models/meeting.py" → "meetups"; another file → its folder. */
function appLabelOfPath(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p.length > 0 && p !== '.');
  const file = parts.pop() ?? '';
  if (file === 'models.py') return parts[parts.length - 1] ?? '';
  const models = parts.lastIndexOf('models');
  if (models > 0) return parts[models - 1];
  return parts[parts.length - 1] ?? '';
}

/** The class's positional bases as written ("models.Model", "TimeStamped"). */
function baseNames(cls: Node): string[] {
  const bases = cls.childForFieldName('superclasses');
  return bases ? bases.namedChildren.filter((b) => b.type === 'identifier' || b.type === 'attribute').map((b) => b.text) : [];
}

interface Meta {
  dbTable?: string;
  appLabel?: string;
  abstract: boolean;
  proxy: boolean;
  declared: boolean;
}

function readMeta(cls: Node): Meta {
  const meta: Meta = { abstract: false, proxy: false, declared: false };
  for (const statement of classBody(cls)) {
    if (statement.type !== 'class_definition' || statement.childForFieldName('name')?.text !== 'Meta') continue;
    meta.declared = true;
    for (const [name, value] of assignments(statement)) {
      if (name === 'db_table') meta.dbTable = stringValue(value) ?? meta.dbTable;
      else if (name === 'app_label') meta.appLabel = stringValue(value) ?? meta.appLabel;
      else if (name === 'abstract') meta.abstract = value.text === 'True';
      else if (name === 'proxy') meta.proxy = value.text === 'True';
    }
  }
  return meta;
}

function relationsOf(cls: Node): DjangoRelation[] {
  const relations: DjangoRelation[] = [];
  for (const [name, value, assignment] of assignments(cls)) {
    if (value.type !== 'call') continue;
    const callee = value.childForFieldName('function');
    const calleeName = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
    const kind = RELATION_KINDS[calleeName ?? ''];
    const args = value.childForFieldName('arguments');
    if (!kind || !args) continue;
    const keywords = new Map<string, Node>();
    let target: Node | undefined;
    for (const arg of args.namedChildren) {
      if (arg.type === 'keyword_argument') {
        const key = arg.childForFieldName('name')?.text;
        const keyValue = arg.childForFieldName('value');
        if (key !== undefined && keyValue) keywords.set(key, keyValue);
      } else if (target === undefined && arg.type !== 'comment' && !arg.type.endsWith('splat')) {
        target = arg;
      }
    }
    target ??= keywords.get('to');
    if (!target) continue;
    const relation: DjangoRelation = { name, kind, target: textValue(target), line: lineOf(assignment.startPosition) };
    const relatedName = keywords.get('related_name');
    if (relatedName) relation.relatedName = textValue(relatedName);
    const dbTable = keywords.get('db_table');
    if (dbTable) relation.dbTable = textValue(dbTable);
    const through = keywords.get('through');
    if (through) relation.through = textValue(through);
    relations.push(relation);
  }
  return relations;
}

function classBody(cls: Node): Node[] {
  return cls.childForFieldName('body')?.namedChildren ?? [];
}

/** `name = value` statements directly in a class body (annotated ones too), with the assignment. */
function assignments(cls: Node): Array<[string, Node, Node]> {
  const found: Array<[string, Node, Node]> = [];
  for (const statement of classBody(cls)) {
    const assignment = statement.type === 'expression_statement' ? statement.namedChild(0) : null;
    if (assignment?.type !== 'assignment') continue;
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type === 'identifier' && right) found.push([left.text, right, assignment]);
  }
  return found;
}

/** A string literal's content (adjacent literals joined), else the expression as written. */
function textValue(node: Node): string {
  return stringValue(node) ?? node.text;
}

function stringValue(node: Node): string | undefined {
  if (node.type === 'concatenated_string') {
    const parts = node.namedChildren.map(stringValue);
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  if (node.type !== 'string') return undefined;
  const start = node.namedChildren.find((c) => c.type === 'string_start');
  const end = node.namedChildren.find((c) => c.type === 'string_end');
  if (!start || !end) return undefined;
  return node.text.slice(start.text.length, node.text.length - end.text.length);
}
