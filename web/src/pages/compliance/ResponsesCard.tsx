// PLACEHOLDER: the responses work (issue 6) replaces this case-page card.
import type { CasePanelProps } from '../supervision/SupervisionPanels';

export function ResponsesCard(props: CasePanelProps) {
  void props;
  return null;
}
