/**
 * Script version history: the list of published versions (author, time, message), the diff
 * between any two of them (or a version and the current draft), and the audit log. Rollback
 * lives in publish.ts because it is a publish of an old version's files.
 */
import { AppError } from '../errors';
import type { ScriptStore, ScriptVersion } from '../store/types';
import { diffFileSets, type FileDiff } from './diff';

export interface VersionSummary {
  version: number;
  author: string;
  at: string;
  message?: string;
  active: boolean;
  /** Files changed against the previous version (empty for the first one). */
  changed: string[];
}

export interface AuditEntry {
  at: string;
  who: string;
  action: string;
  detail?: string;
}

type HistoryStore = Pick<ScriptStore, 'listScriptVersions' | 'getScriptVersion' | 'getActiveScriptVersion' | 'listAudit'>;

/** Published versions, newest first, each with the files it changed. */
export async function listVersions(store: HistoryStore): Promise<VersionSummary[]> {
  const [versions, active] = await Promise.all([store.listScriptVersions(), store.getActiveScriptVersion()]);
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  return sorted.map((v, i) => {
    const previous = sorted[i + 1];
    return {
      version: v.version,
      author: v.author,
      at: v.at,
      ...(v.message !== undefined ? { message: v.message } : {}),
      active: v.version === active,
      changed: previous ? changedPaths(previous.files, v.files) : [],
    };
  });
}

function changedPaths(a: Record<string, string>, b: Record<string, string>): string[] {
  const paths = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...paths].filter((p) => a[p] !== b[p]).sort();
}

/** Loads one version or throws NOT_FOUND. */
export async function requireVersion(store: HistoryStore, version: number): Promise<ScriptVersion> {
  const v = await store.getScriptVersion(version);
  if (!v) throw new AppError('NOT_FOUND', `script version ${version} does not exist`);
  return v;
}

/**
 * Diff from version `from` to `to`. `from` null means "the version before `to`" (empty for
 * the first version); `to` may be a file set (the draft) instead of a version number.
 */
export async function diffVersions(
  store: HistoryStore,
  from: number | null,
  to: number | { label: string; files: Record<string, string> },
): Promise<{ from: number | null; to: number | string; files: FileDiff[] }> {
  const target = typeof to === 'number' ? (await requireVersion(store, to)).files : to.files;
  let base: Record<string, string> = {};
  let fromVersion = from;
  if (from !== null) {
    base = (await requireVersion(store, from)).files;
  } else if (typeof to === 'number') {
    const older = (await store.listScriptVersions()).filter((v) => v.version < to).sort((a, b) => b.version - a.version)[0];
    if (older) {
      base = older.files;
      fromVersion = older.version;
    }
  }
  return { from: fromVersion, to: typeof to === 'number' ? to : to.label, files: diffFileSets(base, target) };
}

/** The audit log, newest first. */
export async function listAudit(store: HistoryStore, limit = 200): Promise<AuditEntry[]> {
  const entries = await store.listAudit(limit);
  return [...entries].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
