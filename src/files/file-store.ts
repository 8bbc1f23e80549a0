/**
 * Where chat images live. `FileStore` is the interface (an S3-compatible store implements the
 * same four calls with an object key per id); `DiskFileStore` keeps them under
 * DATA_DIR/files/ by random id. A client's filename never reaches the file system: the id is
 * ours, the type is what the bytes say (./image-type.ts), and the metadata sits beside the
 * bytes as JSON.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageType } from './image-type';

/** A stored file's metadata: what the access check and the chat need. */
export interface StoredFile {
  id: string;
  contentType: ImageType;
  size: number;
  /** The conversation it was sent in: only its buyer and agents may fetch it. */
  conversationId: string;
  /** 'buyer' or 'agent:<id>'. */
  uploadedBy: string;
  at: string;
}

export interface FileStore {
  /** Stores the bytes under a new random id. */
  put(data: Buffer, meta: Omit<StoredFile, 'id' | 'size'>): Promise<StoredFile>;
  /** Metadata only (cheap access checks), or null. */
  head(id: string): Promise<StoredFile | null>;
  /** Bytes and metadata, or null. */
  get(id: string): Promise<{ file: StoredFile; data: Buffer } | null>;
}

/** Ids we hand out: 24 random bytes, base64url. Anything else is not ours (and never a path). */
const ID = /^[A-Za-z0-9_-]{32}$/;

export function isFileId(id: string): boolean {
  return ID.test(id);
}

/** Files on local disk: <dir>/<first two id chars>/<id> and <id>.json. */
export class DiskFileStore implements FileStore {
  constructor(private readonly dir: string) {}

  private pathOf(id: string): string {
    return join(this.dir, id.slice(0, 2), id);
  }

  async put(data: Buffer, meta: Omit<StoredFile, 'id' | 'size'>): Promise<StoredFile> {
    const id = randomBytes(24).toString('base64url');
    const file: StoredFile = { id, size: data.length, ...meta };
    const path = this.pathOf(id);
    await mkdir(join(this.dir, id.slice(0, 2)), { recursive: true });
    // Bytes first, metadata last (via rename): a file is visible only once complete.
    await writeFile(path, data, { mode: 0o600 });
    await writeFile(`${path}.json.tmp`, JSON.stringify(file), { mode: 0o600 });
    await rename(`${path}.json.tmp`, `${path}.json`);
    return file;
  }

  async head(id: string): Promise<StoredFile | null> {
    if (!isFileId(id)) return null;
    try {
      return JSON.parse(await readFile(`${this.pathOf(id)}.json`, 'utf8')) as StoredFile;
    } catch {
      return null;
    }
  }

  async get(id: string): Promise<{ file: StoredFile; data: Buffer } | null> {
    const file = await this.head(id);
    if (!file) return null;
    try {
      return { file, data: await readFile(this.pathOf(id)) };
    } catch {
      return null;
    }
  }
}
