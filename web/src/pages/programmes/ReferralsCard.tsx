// PLACEHOLDER: the programmes (UI) engineer replaces this card.
import type { CaseRecord } from '../cases/model';

export function ReferralsCard(_props: { record: CaseRecord; headers: Record<string, string>; onChanged: () => void }) {
  return null;
}
