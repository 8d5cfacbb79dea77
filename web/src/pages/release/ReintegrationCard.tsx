// PLACEHOLDER: the release (UI) engineer replaces this card.
import type { CaseRecord } from '../cases/model';

export function ReintegrationCard(_props: { record: CaseRecord; headers: Record<string, string>; onChanged: () => void }) {
  return null;
}
