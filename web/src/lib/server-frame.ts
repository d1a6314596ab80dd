/**
 * Checks frames from the gateway before the app trusts them, with the protocol's own schemas compiled ahead
 * of time (@chat/protocol/checks, generated at the protocol's build): the same rules the servers are tested
 * against, with neither TypeBox in the bundle nor `eval` under the gateway's CSP. Reply `data` is checked by
 * the caller that knows which request it answers.
 */
import type { ServerFrame } from '@chat/protocol';
import { isChatMessage, isHistoryResult, isJoinResult, isMembersResult, isServerFrame } from '@chat/protocol/checks';

/**
 * Parses one text frame; null for anything malformed or of a type this client does not know (a newer gateway
 * may send more), which is ignored, not fatal.
 */
export function parseServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return isServerFrame(value) ? value : null;
}

/** Checks the `data` of a successful reply against what the request type promises. */
export function isReplyData(type: string, data: unknown): boolean {
  switch (type) {
    case 'join':
      return isJoinResult(data);
    case 'history':
      return isHistoryResult(data);
    case 'members':
      return isMembersResult(data);
    case 'send':
    case 'edit':
    case 'delete':
      return isChatMessage(data);
    default:
      return true;
  }
}
