/** The `file` part of an outbound message frame, from a stored message's meta.file (see docs/protocol.md). */
import type { StoredMessage } from '../store/types';

export interface FileFrame {
  id: string;
  contentType: string;
  size: number;
  /** Fetch with the viewer's credentials (buyer headers or agent bearer token). */
  url: string;
}

/** Where a client fetches a file (with the viewer's credentials). */
export function fileUrl(id: string): string {
  return `/api/files/${id}`;
}

/** `{ file }` for an image message, `{}` otherwise (spread into a frame). */
export function fileFrameOf(m: StoredMessage): { file?: FileFrame } {
  const f = m.meta?.['file'];
  if (typeof f !== 'object' || f === null) return {};
  const { id, contentType, size } = f as Record<string, unknown>;
  if (typeof id !== 'string' || typeof contentType !== 'string' || typeof size !== 'number') return {};
  return { file: { id, contentType, size, url: fileUrl(id) } };
}
